import { enc, type Decimal, type LocalizedText, type Page, type PriceValue, type QuantityValue } from './common';
import { request, type CodedFieldError } from './client';
import type { Availability } from './warehouses';

export type SpecField = {
  key: string;
  label: LocalizedText;
  type: 'number' | 'enum' | string;
  unit?: string | null;
  min?: Decimal | null;
  max?: Decimal | null;
  required: boolean;
  options?: string[] | null;
};

export type Category = {
  id: string;
  key: string;
  name: LocalizedText;
  /** Only leaves have an HS code; only leaves can be listed. */
  hsCode?: string | null;
  unit?: string | null;
  specSchema?: SpecField[] | null;
  children?: Category[] | null;
};


export const listingStatuses = ['draft', 'published', 'paused', 'closed', 'expired'] as const;
export type ListingStatus = (typeof listingStatuses)[number];

export const deliveryModes = ['sea', 'inland_waterway', 'rail', 'road', 'multimodal'] as const;
export type DeliveryMode = (typeof deliveryModes)[number];

export const paymentTermCodes = ['tt_advance', 'tt_against_documents', 'lc_sight', 'lc_deferred', 'cad', 'dp'] as const;
export type PaymentTerm = (typeof paymentTermCodes)[number];

export const packagings = ['bulk', 'bags', 'big_bags', 'containers', 'flexitank', 'bundles', 'pallets', 'drums'] as const;
export type Packaging = (typeof packagings)[number];

export const currencies = ['USD', 'CNY', 'RUB', 'KZT', 'UZS', 'KGS', 'TJS', 'INR', 'PKR', 'BYN', 'EUR'] as const;
export const incoterms = ['EXW', 'FCA', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP', 'FAS', 'FOB', 'CFR', 'CIF'] as const;
/** Incoterms 2020 rules for sea and inland waterway transport only. */
export const seaOnlyIncoterms: readonly string[] = ['FAS', 'FOB', 'CFR', 'CIF'];
export const quantityUnits = ['t', 'kg', 'm3'] as const;

export type ListingFile = {
  id: string;
  kind: 'photo' | 'document';
  fileName: string;
  contentType: string;
  size: number;
  uploadedAt: string;
};

export type Listing = {
  id: string;
  organizationId: string;
  seller: { id: string; name: string; countryCode: string; verified: boolean };
  category: { id: string; key: string; name: LocalizedText; unit?: string | null };
  status: ListingStatus;
  title: LocalizedText;
  /** Built by the server from the taxonomy in en, ru and zh: commodity, key spec, origin. */
  headline: LocalizedText;
  description: LocalizedText;
  hsCode: string;
  specs: Record<string, Decimal | boolean | null>;
  originCountry: string;
  originRegion?: string | null;
  quantity: QuantityValue;
  minOrder: QuantityValue;
  price: PriceValue;
  normalizedPrice?: { usd: PriceValue; cny: PriceValue } | null;
  incoterm: string;
  namedPlace: string;
  deliveryMode: string;
  paymentTerms: string[];
  packaging?: string | null;
  leadTimeDays?: number | null;
  certificates: string[];
  files: ListingFile[];
  validUntil: string;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string | null;
};

/** Body of POST/PUT /api/listings. Decimals are sent as the user typed them (strings), never through a double. */
export type ListingInput = {
  organizationId: string;
  categoryId: string;
  title: Partial<Record<'en' | 'ru' | 'zh', string>>;
  description: Partial<Record<'en' | 'ru' | 'zh', string>>;
  hsCode?: string;
  specs: Record<string, string>;
  originCountry: string;
  originRegion: string | null;
  quantity: { value: string | null; unit: string };
  minOrder: { value: string | null; unit: string };
  price: { amount: string | null; currency: string; unit: string };
  incoterm: string;
  namedPlace: string;
  deliveryMode: string;
  paymentTerms: string[];
  packaging: string | null;
  leadTimeDays: number | null;
  certificates: string[];
  validUntil: string | null;
};

export type ListingSummary = {
  id: string;
  status: ListingStatus;
  title: LocalizedText;
  categoryId: string;
  originCountry: string;
  quantity: QuantityValue;
  price: PriceValue;
  incoterm: string;
  namedPlace: string;
  validUntil: string;
  createdAt: string;
};

export type PriceChange = PriceValue & { changedAt: string };

export type ImportResult = {
  imported: number;
  listingIds: string[];
  /** `fieldErrors`: each message of `errors` as a code with parameters, as in a 400 problem. */
  rejected: { row: number; errors: Record<string, string[]>; fieldErrors?: CodedFieldError[] }[];
};

export type FxRate = { currency: string; perUsd: Decimal; asOf: string; updatedAt: string };

export type ListingAction = 'publish' | 'pause' | 'close';

export const listingsApi = {
  categories: (signal?: AbortSignal) => request<Category[]>('/api/categories', { signal }),
  fxRates: (signal?: AbortSignal) => request<FxRate[]>('/api/fx-rates', { signal }),

  createListing: (input: ListingInput) => request<Listing>('/api/listings', { method: 'POST', body: input }),
  updateListing: (id: string, input: ListingInput) =>
    request<Listing>(`/api/listings/${enc(id)}`, { method: 'PUT', body: input }),
  listing: (id: string, signal?: AbortSignal) => request<Listing>(`/api/listings/${enc(id)}`, { signal }),
  changeListingStatus: (id: string, action: ListingAction) =>
    request<Listing>(`/api/listings/${enc(id)}/${action}`, { method: 'POST' }),
  priceHistory: (id: string, signal?: AbortSignal) =>
    request<PriceChange[]>(`/api/listings/${enc(id)}/price-history`, { signal }),
  availability: (id: string, signal?: AbortSignal) =>
    request<Availability[]>(`/api/listings/${enc(id)}/availability`, { signal }),
  organizationListings: (
    organizationId: string,
    params: { status?: ListingStatus | ''; cursor?: string | null; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<Page<ListingSummary>>(`/api/organizations/${enc(organizationId)}/listings`, {
      query: { status: params.status, cursor: params.cursor, limit: params.limit },
      signal,
    }),
  uploadListingFiles: (id: string, kind: 'photo' | 'document', files: File[]) => {
    const form = new FormData();
    form.append('kind', kind);
    for (const f of files) form.append('files', f, f.name);
    return request<Listing>(`/api/listings/${enc(id)}/files`, { method: 'POST', body: form });
  },
  /** URL of a listing's file (an <img src> for photos, a download link for documents). */
  listingFileUrl: (id: string, fileId: string) => `/api/listings/${enc(id)}/files/${enc(fileId)}`,
  deleteListingFile: (id: string, fileId: string) =>
    request<void>(`/api/listings/${enc(id)}/files/${enc(fileId)}`, { method: 'DELETE' }),
  importListings: (organizationId: string, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<ImportResult>('/api/listings/import', { method: 'POST', query: { organizationId }, body: form });
  },
  importTemplateUrl: '/api/listings/import/template',
  importReferenceCsvUrl: '/api/listings/import/reference.csv',
  importReference: (signal?: AbortSignal) => request<ImportReference>('/api/listings/import/reference', { signal }),
};

export type ImportReference = {
  columns: string[];
  categories: {
    key: string;
    group: string;
    name: LocalizedText;
    hsCode: string;
    unit: string;
    specs: { key: string; label: LocalizedText; type: string; unit: string | null; min: number | null; max: number | null; required: boolean; options: string[] }[];
  }[];
  paymentTerms: string[];
  incoterms: { code: string; seaOnly: boolean }[];
  deliveryModes: string[];
  units: string[];
  currencies: string[];
  packagings: string[];
  certificates: { freeText: boolean; maxCount: number; maxLength: number; separator: string };
};
