// Every page of the app by address. Order matters where patterns overlap: "/listings/new" before "/listings/:id".
import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n';
import type { RouteParams } from './matchRoute';
import { HomePage } from '../features/home/HomePage';
import { ComingSoonPage } from '../features/home/ComingSoonPage';
import { SignInPage } from '../features/accounts/SignInPage';
import { SignUpPage } from '../features/accounts/SignUpPage';
import { SearchPage } from '../features/search/SearchPage';
import { BuyRequestFormPage, BuyRequestPage, BuyRequestsPage } from '../features/buy-requests';
import { OrganizationPage } from '../features/organizations/OrganizationPage';
import { CreateOrganizationPage } from '../features/organizations/CreateOrganizationPage';
import { AdminPage } from '../features/admin/AdminPage';
import { AdminPaymentsPage } from '../features/admin/AdminPaymentsPage';
import { ListingsPage } from '../features/listings/ListingsPage';
import { ListingEditorPage } from '../features/listings/ListingEditorPage';
import { ListingPage } from '../features/listings/ListingPage';
import { ListingImportPage } from '../features/listings/ListingImportPage';
import { ImportReferencePage } from '../features/listings/ImportReferencePage';
import { WarehousesPage } from '../features/warehouses/WarehousesPage';
import { WarehousePage } from '../features/warehouses/WarehousePage';
import { NegotiationRoomPage, NegotiationsPage } from '../features/negotiations';
import { DealPage, DealsPage } from '../features/deals/DealPages';
import { DashboardPage } from '../features/dashboard/DashboardPage';
import { CompanyPage } from '../features/companies/CompanyPage';
import { LiveReportPage, LiveSessionFormPage, LiveSessionPage, LiveSessionsPage } from '../features/live';

export type AppRoute = {
  /** Literal segments and `:name` parameters, e.g. "/listings/:id/edit". */
  path: string;
  /** The page for the matched parameters; pages with an id are keyed by it so another id starts afresh. */
  page: (params: RouteParams) => ReactNode;
  /** Signed-in users only: visitors are sent to the sign-in page and come back after. */
  auth: boolean;
};

type Capability = {
  path: string;
  testId: string;
  label: MessageKey;
  description: MessageKey;
  /** Built sections have their own pages; the others show "coming soon". */
  ready?: boolean;
};

/** Sections of the marketplace in the main navigation; those not `ready` are announced but not built yet. */
export const capabilities: readonly Capability[] = [
  { path: '/search', testId: 'nav-search', label: 'nav.search', description: 'soon.search', ready: true },
  { path: '/listings', testId: 'nav-listings', label: 'nav.listings', description: 'soon.listings', ready: true },
  { path: '/buy-requests', testId: 'nav-buy-requests', label: 'nav.buyRequests', description: 'soon.buyRequests', ready: true },
  { path: '/negotiations', testId: 'nav-negotiations', label: 'nav.negotiations', description: 'soon.negotiations', ready: true },
  { path: '/deals', testId: 'nav-deals', label: 'nav.deals', description: 'soon.deals', ready: true },
  { path: '/live', testId: 'nav-live', label: 'nav.live', description: 'soon.live', ready: true },
  { path: '/warehouses', testId: 'nav-warehouses', label: 'nav.warehouses', description: 'soon.warehouses', ready: true },
];

const id = (params: RouteParams) => params['id'] ?? '';

export const routes: readonly AppRoute[] = [
  { path: '/', page: () => <HomePage />, auth: false },
  { path: '/signin', page: () => <SignInPage />, auth: false },
  { path: '/signup', page: () => <SignUpPage />, auth: false },
  { path: '/search', page: () => <SearchPage />, auth: false },
  { path: '/dashboard', page: () => <DashboardPage />, auth: true },
  { path: '/companies/:id', page: (p) => <CompanyPage key={id(p)} id={id(p)} />, auth: false },

  { path: '/organization', page: () => <OrganizationPage />, auth: true },
  { path: '/organization/new', page: () => <CreateOrganizationPage />, auth: true },
  { path: '/organization/:id', page: (p) => <OrganizationPage id={id(p)} />, auth: true },
  { path: '/admin', page: () => <AdminPage />, auth: true },
  { path: '/admin/payments', page: () => <AdminPaymentsPage />, auth: true },

  { path: '/listings', page: () => <ListingsPage />, auth: true },
  { path: '/listings/new', page: () => <ListingEditorPage />, auth: true },
  { path: '/listings/import', page: () => <ListingImportPage />, auth: true },
  { path: '/listings/import/reference', page: () => <ImportReferencePage />, auth: false },
  { path: '/listings/:id/edit', page: (p) => <ListingEditorPage key={id(p)} id={id(p)} />, auth: true },
  // A listing's page is public for published listings; the API decides what a visitor may see.
  { path: '/listings/:id', page: (p) => <ListingPage key={id(p)} id={id(p)} />, auth: false },

  { path: '/warehouses', page: () => <WarehousesPage />, auth: true },
  { path: '/warehouses/:id', page: (p) => <WarehousePage key={id(p)} id={id(p)} />, auth: true },

  { path: '/buy-requests', page: () => <BuyRequestsPage />, auth: true },
  { path: '/buy-requests/new', page: () => <BuyRequestFormPage />, auth: true },
  { path: '/buy-requests/:id', page: (p) => <BuyRequestPage key={id(p)} id={id(p)} />, auth: true },

  { path: '/negotiations', page: () => <NegotiationsPage />, auth: true },
  { path: '/negotiations/:id', page: (p) => <NegotiationRoomPage key={id(p)} id={id(p)} />, auth: true },
  { path: '/deals', page: () => <DealsPage />, auth: true },
  { path: '/deals/:id', page: (p) => <DealPage key={id(p)} id={id(p)} />, auth: true },

  // Sessions are public: visitors watch and read; the hub and the API decide what they may do.
  { path: '/live', page: () => <LiveSessionsPage />, auth: false },
  { path: '/live/new', page: () => <LiveSessionFormPage />, auth: true },
  { path: '/live/:id/edit', page: (p) => <LiveSessionFormPage key={id(p)} id={id(p)} />, auth: true },
  { path: '/live/:id/report', page: (p) => <LiveReportPage key={id(p)} id={id(p)} />, auth: true },
  { path: '/live/:id', page: (p) => <LiveSessionPage key={id(p)} id={id(p)} />, auth: false },

  ...capabilities
    .filter((c) => !c.ready)
    .map((c) => ({ path: c.path, page: () => <ComingSoonPage title={c.label} description={c.description} />, auth: false })),
];
