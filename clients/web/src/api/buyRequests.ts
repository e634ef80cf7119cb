import { enc, type Decimal, type LocalizedText, type PriceValue, type QuantityValue } from './common';
import type { ServerText } from './notifications';
import { request } from './client';

export type BuyRequest = {
  id: string;
  organizationId: string;
  buyer: { id: string; name: string; verified: boolean };
  category: { id: string; key: string; name: LocalizedText };
  quantity: QuantityValue;
  targetPrice: PriceValue;
  incoterm: string;
  namedPlace: string;
  deliveryBy: string;
  note: string | null;
  status: 'open' | 'closed';
  matchCount: number;
};

/** Body of POST /api/buy-requests: decimals as typed (text), the delivery date as an instant. */
export type BuyRequestInput = {
  organizationId: string | undefined;
  categoryId: string | null;
  specRanges: Record<string, { min?: Decimal; max?: Decimal }>;
  quantity: { value: string | null; unit: string };
  targetPrice: { amount: string | null; currency: string; unit: string };
  incoterm: string;
  namedPlace: string;
  deliveryBy: string | null;
  originCountries?: string[];
  note: string | null;
};

/** A listing that matches a buy request, scored 0–100 with the reasons. */
export type BuyRequestMatch = {
  listing: {
    id: string;
    title: LocalizedText;
    price: PriceValue;
    seller: { id: string; name: string; verified: boolean };
    incoterm: string;
    namedPlace: string;
  };
  score: number;
  reasons: ServerText[];
};

/** A buy request that matches a listing, as its seller sees it. */
export type ListingMatch = {
  buyRequest: {
    id: string;
    buyer: { id: string; name: string; verified: boolean };
    category: { id: string; key: string; name: LocalizedText };
    quantity: QuantityValue;
    targetPrice: PriceValue;
    incoterm: string;
    namedPlace: string;
    deliveryBy: string;
  };
  score: number;
  reasons: ServerText[];
};

export const buyRequestsApi = {
  buyRequests: (organizationId: string, limit: number, signal?: AbortSignal) =>
    request<{ items: BuyRequest[] }>('/api/buy-requests', { query: { organizationId, limit }, signal }),
  createBuyRequest: (input: BuyRequestInput) => request<BuyRequest>('/api/buy-requests', { method: 'POST', body: input }),
  buyRequest: (id: string, signal?: AbortSignal) => request<BuyRequest>(`/api/buy-requests/${enc(id)}`, { signal }),
  buyRequestMatches: (id: string, signal?: AbortSignal) =>
    request<BuyRequestMatch[]>(`/api/buy-requests/${enc(id)}/matches`, { signal }),
  closeBuyRequest: (id: string) => request<BuyRequest>(`/api/buy-requests/${enc(id)}/close`, { method: 'POST' }),
  /** Buy requests matching a listing: for the seller's members only, others get a 404. */
  listingMatches: (listingId: string, signal?: AbortSignal) =>
    request<ListingMatch[]>(`/api/listings/${enc(listingId)}/matches`, { signal }),
};
