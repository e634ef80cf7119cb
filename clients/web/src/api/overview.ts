// The dashboard of an organization, public company profiles and the landing page.
import { enc, type Decimal, type LocalizedText, type Money, type PriceValue, type QuantityValue } from './common';
import { request } from './client';

export type DashboardListing = { id: string; title: LocalizedText; categoryKey: string };
export type DashboardParty = { id: string; name: string; countryCode: string; verified: boolean };

export type DashboardOffer = {
  roomId: string;
  offerId: string;
  listing: DashboardListing | null;
  counterparty: DashboardParty | null;
  counter: boolean;
  price: PriceValue;
  quantity: QuantityValue;
  validUntil: string;
  secondsLeft: number;
};

export type DealNextAction =
  | 'pay_deposit'
  | 'await_deposit'
  | 'ship'
  | 'await_shipment'
  | 'confirm_delivery'
  | 'await_delivery'
  | 'complete'
  | 'resolve_dispute'
  | 'none';

export type DashboardDeal = {
  id: string;
  status: string;
  side: 'buyer' | 'seller';
  listing: DashboardListing | null;
  counterparty: DashboardParty | null;
  total: Money;
  nextAction: DealNextAction;
  createdAt: string;
};

export type Dashboard = {
  organizationId: string;
  offersAwaitingMe: DashboardOffer[];
  myOpenOffers: DashboardOffer[];
  newMatches: { side: 'buyer' | 'seller'; buyRequestId: string; listing: DashboardListing | null; categoryKey: string; score: number; createdAt: string }[];
  deals: { status: string; count: number; items: DashboardDeal[] }[];
  unreadRooms: { roomId: string; listing: DashboardListing | null; counterparty: DashboardParty | null; unread: number; updatedAt: string }[];
  expiringListings: { id: string; title: LocalizedText; categoryKey: string; validUntil: string; daysLeft: number }[];
  lowStock: { id: string; title: LocalizedText; categoryKey: string; available: Decimal; reserved: Decimal; minOrder: QuantityValue }[];
  upcomingSessions: LiveSessionCard[];
};

export type LiveSessionCard = { id: string; title: LocalizedText; countryCode: string; startsAt: string; endsAt: string; status: string };

export type CompanyProfile = {
  id: string;
  name: string;
  countryCode: string;
  kind: 'exporter' | 'importer' | 'both';
  verified: boolean;
  verifiedSince: string | null;
  memberSince: string;
  publishedListings: number;
  dealsCompleted: number;
  medianFirstResponseSeconds: number | null;
  listings: { id: string; title: LocalizedText; categoryKey: string; originCountry: string; price: PriceValue; quantity: QuantityValue }[];
};

export type Landing = {
  families: { key: string; name: LocalizedText; count: number }[];
  recentListings: {
    id: string;
    title: LocalizedText;
    categoryKey: string;
    originCountry: string;
    price: PriceValue;
    quantity: QuantityValue;
    seller: { id: string; name: string; countryCode: string; verified: boolean };
  }[];
  upcomingSessions: LiveSessionCard[];
};

export const overviewApi = {
  dashboard: (organizationId: string, signal?: AbortSignal) => request<Dashboard>('/api/dashboard', { query: { organizationId }, signal }),
  companyProfile: (id: string, signal?: AbortSignal) => request<CompanyProfile>(`/api/organizations/${enc(id)}/profile`, { signal }),
  landing: (signal?: AbortSignal) => request<Landing>('/api/landing', { signal }),
};
