// What other features may use of buy requests.
export { BuyRequestFormPage, BuyRequestPage, BuyRequestsPage, ListingMatchesPanel } from './BuyRequestPages';
