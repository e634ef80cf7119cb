import type { Decimal, LocalizedText, PriceValue, QuantityValue } from './common';
import { request } from './client';

export const searchFacetNames = ['category', 'origin', 'incoterm', 'warehouseCountry', 'certificate'] as const;
export type SearchFacetName = (typeof searchFacetNames)[number];
export type FacetValue = { key: string; label: string; count: number };

export type SearchItem = {
  id: string;
  title: LocalizedText;
  /** Built by the server from the taxonomy in en, ru and zh. */
  headline: LocalizedText;
  /** Only some of the query's words were found in this listing (it follows the full matches). */
  partial: boolean;
  /** Highlighted text from the server: its own markup only (<mark>), the rest escaped. */
  snippet: string | null;
  price: PriceValue;
  normalizedPrice: { usd: { amount: Decimal; unit: string }; cny: { amount: Decimal; unit: string } } | null;
  quantity: QuantityValue;
  /** In stock now: on hand minus reserved. */
  available: QuantityValue;
  reserved: QuantityValue;
  originCountry: string;
  incoterm: string;
  namedPlace: string;
  seller: { id: string; name: string; verified: boolean };
};

export type NoResultsHelp = {
  suggestion: string | null;
  dropFilters: string[];
  buyRequest: { categoryKey: string | null; originCountries: string[]; incoterm: string | null; note: string | null };
};

export type SavedSearchQuery = Record<string, string | string[] | boolean | null>;

export type SavedSearch = { id: string; organizationId: string; name: string; query: SavedSearchQuery; createdAt: string };

export type SearchResult = {
  total: number;
  totalIsLowerBound: boolean;
  partialTotal: number;
  noResults: NoResultsHelp | null;
  items: SearchItem[];
  facets: Partial<Record<SearchFacetName, FacetValue[]>>;
  nextCursor: string | null;
};

export const searchApi = {
  /** The search page keeps its filters in the address; they are passed on as they are. */
  searchListings: (params: URLSearchParams, signal?: AbortSignal) =>
    request<SearchResult>(`/api/search/listings?${params.toString()}`, { signal }),
  savedSearches: (organizationId: string, signal?: AbortSignal) =>
    request<{ items: SavedSearch[]; nextCursor: string | null }>('/api/saved-searches', { query: { organizationId, limit: '100' }, signal }),
  saveSearch: (body: { organizationId: string; name: string; query: SavedSearchQuery }) =>
    request<SavedSearch>('/api/saved-searches', { method: 'POST', body }),
  deleteSavedSearch: (id: string) => request<void>(`/api/saved-searches/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  suggest: (q: string, signal?: AbortSignal) => request<string[]>('/api/search/suggest', { query: { q }, signal }),
};
