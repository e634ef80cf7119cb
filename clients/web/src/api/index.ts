// The single HTTP client of the web app. Same origin, cookie authentication,
// JSON in and out, RFC 9457 problem details turned into ApiError.

export type ProblemDetails = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: Record<string, string[]>;
};

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  /** Error messages by key (an Identity error code or a camelCase field name). */
  readonly errors: Record<string, string[]>;

  constructor(status: number, problem: ProblemDetails) {
    const title = problem.title ?? `HTTP ${status}`;
    super(problem.detail ? `${title}: ${problem.detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = problem.detail;
    this.errors = normalizeErrors(problem.errors);
  }

  /** True when the request never got an HTTP answer (offline, server down). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

function normalizeErrors(errors: ProblemDetails['errors']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!errors || typeof errors !== 'object') return out;
  for (const [rawKey, value] of Object.entries(errors)) {
    // "$.countryCode", "CountryCode" and "countryCode" all mean the same field.
    let key = rawKey.startsWith('$.') ? rawKey.slice(2) : rawKey;
    if (/^[A-Z][a-z]/.test(key) && !isIdentityCode(key)) key = key[0]!.toLowerCase() + key.slice(1);
    const messages = Array.isArray(value) ? value.map(String) : [String(value)];
    out[key] = [...(out[key] ?? []), ...messages];
  }
  return out;
}

// ASP.NET Core Identity error codes are PascalCase and must stay as they are.
const identityCodePattern =
  /^(Password|Duplicate|Invalid|UserAlready|UserLockout|LoginAlready|ConcurrencyFailure|DefaultError|RecoveryCode)/;
function isIdentityCode(key: string): boolean {
  return identityCodePattern.test(key);
}

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** A plain object is sent as JSON; FormData is sent as multipart/form-data. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
};

/**
 * JSON.parse reviver: where the engine passes the number's source text (JSON.parse source text access) and the
 * binary double would not print back as the server wrote it ("245.50", 18 significant digits), the text is kept
 * instead, so money and quantities are shown exactly as sent. Elsewhere numbers stay numbers.
 */
function keepDecimalText(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && typeof context?.source === 'string' && String(value) !== context.source) {
    return context.source;
  }
  return value;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, query, signal } = options;
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }

  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body; // the browser sets the multipart boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: 'same-origin', signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: e instanceof Error ? e.message : String(e) });
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text, keepDecimalText);
    } catch {
      data = undefined;
    }
  }

  if (!response.ok) {
    const problem: ProblemDetails =
      data && typeof data === 'object' ? (data as ProblemDetails) : { title: response.statusText || undefined };
    throw new ApiError(response.status, { ...problem, status: problem.status ?? response.status });
  }
  return data as T;
}

// ---------- Types of the backend's answers ----------

export type OrgRole = 'owner' | 'trader' | 'viewer';
export type VerificationStatus = 'unverified' | 'pending' | 'verified' | 'rejected';
export type OrgKind = 'exporter' | 'importer' | 'both';

export type MyOrganization = {
  id: string;
  name: string;
  countryCode?: string;
  kind?: OrgKind;
  role: OrgRole;
  verification: VerificationStatus;
};

export type Me = {
  id: string;
  email: string;
  emailConfirmed: boolean;
  roles: string[];
  organizations: MyOrganization[];
};

export type OrganizationInput = {
  name: string;
  countryCode: string;
  kind: OrgKind;
  registrationNumber: string;
};

export type Verification = {
  status: VerificationStatus;
  note?: string | null;
  requestedAt?: string | null;
  decidedAt?: string | null;
};

export type Member = { userId: string; email: string; role: OrgRole };

export type Organization = OrganizationInput & {
  id: string;
  verification: Verification;
  members: Member[];
  createdAt: string;
};

export type AdminOrganizationItem = {
  id: string;
  name: string;
  countryCode: string;
  verification: Verification;
};

export type Page<T> = { items: T[]; nextCursor?: string | null };

// ---------- Listings, taxonomy, inventory ----------

/**
 * A decimal from the API (money, quantities, rates): a JSON number, or its exact source text when the double
 * would not print back the same (see keepDecimalText). Display it with format.ts, never through Number().
 */
export type Decimal = number | string;

/** Text by language code (en, ru, zh; the taxonomy also has kk, uz). */
export type LocalizedText = Partial<Record<string, string | null>>;

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

export type QuantityValue = { value: Decimal; unit: string };
export type PriceValue = { amount: Decimal; currency: string; unit: string };

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
  rejected: { row: number; errors: Record<string, string[]> }[];
};

export type WarehouseKind = 'overseas' | 'bonded' | 'port';
export const warehouseKinds: readonly WarehouseKind[] = ['overseas', 'bonded', 'port'];

export type WarehouseRef = { id: string; name: string; kind: WarehouseKind; countryCode: string; city: string };

export type Availability = {
  warehouse: WarehouseRef;
  onHand: Decimal;
  reserved: Decimal;
  available: Decimal;
  unit: string;
};

export type Warehouse = WarehouseRef & {
  organizationId: string;
  location: { lat: Decimal; lon: Decimal };
  createdAt: string;
};

export type WarehouseInput = {
  organizationId: string;
  name: string;
  kind: WarehouseKind;
  countryCode: string;
  city: string;
  location: { lat: string | null; lon: string | null };
};

export type MovementInputKind = 'receipt' | 'shipment' | 'adjustment' | 'transfer';
export const movementInputKinds: readonly MovementInputKind[] = ['receipt', 'shipment', 'adjustment', 'transfer'];

export type MovementInput = {
  kind: MovementInputKind;
  listingId: string | null;
  lot: string;
  quantity: { value: string | null; unit: string };
  toWarehouseId?: string;
  note?: string;
  reason?: string;
  qualityCertificate?: string;
};

export type MovementKind = 'receipt' | 'shipment' | 'adjustment' | 'transferOut' | 'transferIn' | 'reserve' | 'release';

export type Movement = {
  id: string;
  warehouseId: string;
  listingId: string;
  lotId: string;
  lotNumber: string;
  kind: MovementKind;
  onHandDelta: Decimal;
  reservedDelta: Decimal;
  unit: string;
  reason?: string | null;
  note?: string | null;
  reservationId?: string | null;
  counterpartWarehouseId?: string | null;
  at: string;
};

export type StockLot = {
  lotId: string;
  lotNumber: string;
  qualityCertificate?: string | null;
  listingId: string;
  listing: { title: LocalizedText };
  onHand: Decimal;
  reserved: Decimal;
  available: Decimal;
  unit: string;
};

export type FxRate = { currency: string; perUsd: Decimal; asOf: string; updatedAt: string };

export type ListingAction = 'publish' | 'pause' | 'close';

// ---------- Negotiations and deals (CONTRACT.md "Negotiations and deals") ----------

export type Side = 'buyer' | 'seller';
export type OfferStatus = 'open' | 'countered' | 'withdrawn' | 'declined' | 'expired' | 'accepted';
export const offerStatuses: readonly OfferStatus[] = ['open', 'countered', 'withdrawn', 'declined', 'expired', 'accepted'];

/** The terms of an offer, and of the deal it becomes when accepted. */
export type TermSheet = {
  price: PriceValue;
  quantity: QuantityValue;
  tolerancePercent: Decimal;
  incoterm: string;
  namedPlace: string;
  deliveryMode: string;
  /** yyyy-MM-dd dates. */
  deliveryWindow: { from: string; to: string };
  paymentTerms: string;
  inspectionBody: string | null;
  specs: Record<string, string>;
  sourceWarehouseId: string | null;
};

/** What MakeOffer takes: decimals as typed (text), validity as an instant, a counter names the offer it answers. */
export type OfferTermsInput = {
  price: { amount: string | null; currency: string; unit: string };
  quantity: { value: string | null; unit: string };
  tolerancePercent: string | number;
  incoterm: string;
  namedPlace: string;
  deliveryMode: string;
  deliveryWindow: { from: string | null; to: string | null };
  paymentTerms: string;
  inspectionBody: string | null;
  specs: Record<string, string>;
  sourceWarehouseId: string | null;
  validUntil: string;
  counterToOfferId?: string;
};

export type Offer = {
  id: string;
  side: Side;
  madeBy: string;
  status: OfferStatus;
  terms: TermSheet;
  validUntil: string;
  counterToOfferId: string | null;
  sequence: number;
  createdAt: string;
};

export type RoomOrganization = { id: string; name: string; countryCode: string; verified: boolean };
export type RoomListing = { id: string; title: LocalizedText; categoryKey: string; unit: string | null };

/** A negotiation room as the caller sees it: their side, whether they may act, what they have not read. */
export type Room = {
  id: string;
  listing: RoomListing;
  buyer: RoomOrganization;
  seller: RoomOrganization;
  buyRequestId: string | null;
  status: 'open' | 'agreed';
  mySide: Side | null;
  canAct: boolean;
  lastSequence: number;
  lastReadSequence: number;
  unread: number;
  openOffer: Offer | null;
  dealId: string | null;
  createdAt: string;
  updatedAt: string;
};

export type RoomEventType =
  | 'message'
  | 'offer'
  | 'counter'
  | 'offer_accepted'
  | 'offer_declined'
  | 'offer_withdrawn'
  | 'offer_expired'
  | 'deal_created'
  | 'participant_joined'
  | 'system';

/** One entry of a room's log; `sequence` numbers a room's events 1, 2, 3 … without gaps. */
export type RoomEvent = {
  roomId: string;
  sequence: number;
  type: RoomEventType | string;
  actor: { userId: string; side: Side | null } | null;
  at: string;
  payload: Record<string, unknown>;
  hidden: boolean;
};

/** One changed term of a counter-offer; values are the server's display text ("236 USD/t", "2026-12-01..2026-12-31"). */
export type TermChange = { field: string; from: string | null; to: string | null };

export type Money = { amount: Decimal; currency: string };

export type Deal = {
  id: string;
  roomId: string;
  offerId: string;
  listing: RoomListing;
  buyer: RoomOrganization;
  seller: RoomOrganization;
  mySide: Side | null;
  status: string;
  terms: TermSheet;
  total: Money;
  reservationId: string | null;
  createdAt: string;
};

/** The most events one read of a room's log returns (JoinRoom, GET …/events). */
export const maxEventsPerRead = 500;

const enc = encodeURIComponent;

// ---------- Endpoints ----------

export const api = {
  register: (email: string, password: string) =>
    request<void>('/api/auth/register', { method: 'POST', body: { email, password } }),
  login: (email: string, password: string) =>
    request<void>('/api/auth/login', { method: 'POST', query: { useCookies: true }, body: { email, password } }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', body: {} }),
  me: (signal?: AbortSignal) => request<Me>('/api/me', { signal }),

  createOrganization: (input: OrganizationInput) =>
    request<Organization>('/api/organizations', { method: 'POST', body: input }),
  organization: (id: string, signal?: AbortSignal) =>
    request<Organization>(`/api/organizations/${encodeURIComponent(id)}`, { signal }),
  updateOrganization: (id: string, input: OrganizationInput) =>
    request<Organization>(`/api/organizations/${encodeURIComponent(id)}`, { method: 'PUT', body: input }),
  requestVerification: (id: string, files: File[], note: string) => {
    const form = new FormData();
    for (const f of files) form.append('documents', f, f.name);
    if (note.trim()) form.append('note', note.trim());
    return request<Organization>(`/api/organizations/${encodeURIComponent(id)}/verification`, {
      method: 'POST',
      body: form,
    });
  },

  adminOrganizations: (status: VerificationStatus, cursor?: string | null, signal?: AbortSignal) =>
    request<Page<AdminOrganizationItem>>('/api/admin/organizations', { query: { status, cursor }, signal }),
  decideVerification: (id: string, decision: 'verified' | 'rejected', note: string) =>
    request<unknown>(`/api/admin/organizations/${encodeURIComponent(id)}/verification`, {
      method: 'POST',
      body: { decision, note },
    }),

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

  createWarehouse: (input: WarehouseInput) => request<Warehouse>('/api/warehouses', { method: 'POST', body: input }),
  warehouses: (organizationId: string, signal?: AbortSignal) =>
    request<Warehouse[]>('/api/warehouses', { query: { organizationId }, signal }),
  warehouse: (id: string, signal?: AbortSignal) => request<Warehouse>(`/api/warehouses/${enc(id)}`, { signal }),
  warehouseStock: (id: string, signal?: AbortSignal) => request<StockLot[]>(`/api/warehouses/${enc(id)}/stock`, { signal }),
  warehouseMovements: (
    id: string,
    params: { listingId?: string | null; cursor?: string | null; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<Page<Movement>>(`/api/warehouses/${enc(id)}/movements`, {
      query: { listingId: params.listingId, cursor: params.cursor, limit: params.limit },
      signal,
    }),
  /** A transfer answers with its two movements (out and in), the other kinds with one. */
  recordMovement: (id: string, input: MovementInput) =>
    request<Movement | Movement[]>(`/api/warehouses/${enc(id)}/movements`, { method: 'POST', body: input }),

  /** Opens the room for a listing and a buyer organization, or answers with the open one that exists. */
  openNegotiation: (input: { listingId: string; buyerOrganizationId: string; buyRequestId?: string; message?: string }) =>
    request<Room>('/api/negotiations', { method: 'POST', body: input }),
  negotiations: (params: { role?: Side | null; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<Room>>('/api/negotiations', { query: { role: params.role, cursor: params.cursor, limit: params.limit }, signal }),
  negotiation: (id: string, signal?: AbortSignal) => request<Room>(`/api/negotiations/${enc(id)}`, { signal }),
  /** The room's log after `after`; nextCursor (the last sequence) when there is more. */
  negotiationEvents: (id: string, after: number, limit?: number, signal?: AbortSignal) =>
    request<Page<RoomEvent>>(`/api/negotiations/${enc(id)}/events`, { query: { after, limit }, signal }),
  deals: (params: { role?: Side | null; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<Deal>>('/api/deals', { query: { role: params.role, cursor: params.cursor, limit: params.limit }, signal }),
  deal: (id: string, signal?: AbortSignal) => request<Deal>(`/api/deals/${enc(id)}`, { signal }),
};
