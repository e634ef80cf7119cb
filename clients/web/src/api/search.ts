import type { Decimal, LocalizedText, PriceValue, QuantityValue } from './common';
import { request } from './client';

export const searchFacetNames = ['category', 'origin', 'incoterm', 'warehouseCountry', 'certificate'] as const;
export type SearchFacetName = (typeof searchFacetNames)[number];
export type FacetValue = { key: string; label: string; count: number };

export type SearchItem = {
  id: string;
  title: LocalizedText;
  /** Highlighted text from the server: its own markup only (<mark>), the rest escaped. */
  snippet: string | null;
  price: PriceValue;
  normalizedPrice: { usd: { amount: Decimal; unit: string }; cny: { amount: Decimal; unit: string } } | null;
  quantity: QuantityValue;
  available: QuantityValue;
  originCountry: string;
  incoterm: string;
  namedPlace: string;
  seller: { id: string; name: string; verified: boolean };
};

export type SearchResult = {
  total: number;
  totalIsLowerBound: boolean;
  items: SearchItem[];
  facets: Partial<Record<SearchFacetName, FacetValue[]>>;
  nextCursor: string | null;
};

export const searchApi = {
  /** The search page keeps its filters in the address; they are passed on as they are. */
  searchListings: (params: URLSearchParams, signal?: AbortSignal) =>
    request<SearchResult>(`/api/search/listings?${params.toString()}`, { signal }),
  suggest: (q: string, signal?: AbortSignal) => request<string[]>('/api/search/suggest', { query: { q }, signal }),
};
