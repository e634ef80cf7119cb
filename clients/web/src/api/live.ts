import { enc, type Decimal, type LocalizedText, type Page, type PriceValue } from './common';
import { request } from './client';

// ---------- Live sessions (CONTRACT.md "Live sessions") ----------

export type LiveSessionStatus = 'scheduled' | 'live' | 'ended' | 'cancelled';
/** The list's filter: upcoming = scheduled. */
export type LiveSessionFilter = 'upcoming' | 'live' | 'ended';
export type StreamKind = 'hls' | 'embed';
export type LiveRole = 'host' | 'moderator' | 'viewer';

export type LiveSeller = { id: string; name: string; countryCode: string; verified: boolean };
export type LiveNormalizedPrice = { usd: PriceValue; cny: PriceValue };

export type LiveFeaturedListing = {
  id: string;
  title: LocalizedText;
  categoryKey: string;
  seller: LiveSeller;
  price: PriceValue;
  normalizedPrice?: LiveNormalizedPrice | null;
};

export type LiveSession = {
  id: string;
  title: LocalizedText;
  description: LocalizedText;
  countryCode: string;
  startsAt: string;
  endsAt: string;
  streamUrl: string;
  streamKind: StreamKind;
  replayUrl: string | null;
  status: LiveSessionStatus;
  hostUserId: string;
  isHost: boolean;
  registered: boolean;
  registrants: number;
  featuredListings: LiveFeaturedListing[];
  pinnedListingId: string | null;
  lastSequence: number;
  startedAt: string | null;
  endedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Concurrent viewers the session admits (its own cap, else the server's default). */
  viewerCap: number;
};

/** Body of POST / PUT /api/live-sessions. Times are ISO 8601 instants. */
export type LiveSessionInput = {
  title: Partial<Record<'en' | 'ru' | 'zh', string>>;
  description: Partial<Record<'en' | 'ru' | 'zh', string>>;
  countryCode: string;
  startsAt: string | null;
  endsAt: string | null;
  streamUrl: string;
  replayUrl: string | null;
  featuredListingIds: string[];
  /** Omitted or null: the server's default cap. */
  viewerCap?: number | null;
};

export type LiveEventType =
  | 'chat'
  | 'question'
  | 'question_upvoted'
  | 'question_answered'
  | 'listing_pinned'
  | 'pinned_stock'
  | 'interest'
  | 'hidden'
  | 'muted'
  | 'started'
  | 'ended'
  | 'cancelled'
  | 'system';

/** Who wrote an event: role (the host badge), display name and organization, null when they have none. */
export type LiveActor = { userId: string; role: LiveRole | string; name?: string | null; organization?: string | null };

/** One entry of a session's log (the hub's LiveEvent push, and JoinSession's chat and events). */
export type LiveEvent = {
  sessionId: string;
  sequence: number;
  type: LiveEventType | string;
  actor: LiveActor | null;
  at: string;
  payload: Record<string, unknown>;
  hidden: boolean;
};

export type LiveQuestion = {
  id: string;
  sequence: number;
  askedBy: string;
  text: string;
  votes: number;
  votedByMe: boolean;
  answer: string | null;
  askedAt: string;
  answeredAt: string | null;
  author?: LiveActor | null;
};

export type LiveStock = { onHand: Decimal; reserved: Decimal; available: Decimal; unit: string | null };

/** The card of the pinned listing. */
export type PinnedListing = {
  id: string;
  title: LocalizedText;
  categoryKey: string;
  specs: Record<string, string>;
  price: PriceValue;
  normalizedPrice?: LiveNormalizedPrice | null;
  quantity: Decimal;
  quantityUnit: string;
  minOrder: Decimal;
  minOrderUnit: string;
  incoterm: string;
  namedPlace: string;
  paymentTerms: string[];
  originCountry: string;
  seller: LiveSeller;
  stock: LiveStock;
};

/** What JoinSession answers: everything a late joiner needs in one call. */
export type LiveSnapshot = {
  session: LiveSession;
  pinned: PinnedListing | null;
  questions: LiveQuestion[];
  chat: LiveEvent[];
  events: LiveEvent[];
  viewers: number;
  role: LiveRole;
  muted: boolean;
};

export type LiveViewers = { sessionId: string; count: number };

export type LiveQuote = { roomId: string; created: boolean };

export type LiveInterest = {
  id: string;
  sessionId: string;
  listingId: string;
  sellerOrganizationId: string;
  buyerOrganizationId: string;
  userId: string;
  quantity: Decimal;
  unit: string;
  priceHint: PriceValue | null;
  valueUsd: Decimal | null;
  validUntil: string;
  createdAt: string;
  sequence: number;
  roomId: string | null;
};

/** What ExpressInterest takes; decimals as typed. */
export type LiveInterestInput = {
  quantity: { value: string; unit: string };
  priceHint: { amount: string; currency: string; unit: string } | null;
  validUntil: string;
};

export type LiveReport = {
  sessionId: string;
  title: LocalizedText;
  status: LiveSessionStatus;
  /** all for the host and admins; own_listings for a featured exporter. */
  scope: 'all' | 'own_listings' | string;
  registrants: number;
  uniqueViewers: number;
  peakViewers: number;
  viewersPerMinute: { at: string; count: number }[];
  questions: { asked: number; answered: number };
  interest: {
    listingId: string;
    title: LocalizedText;
    sellerOrganizationId: string;
    interests: number;
    quantity: Decimal;
    unit: string;
    value: Decimal;
    currency: string;
    roomsOpened: number;
    dealsCreated: number;
  }[];
  roomsOpened: number;
  dealsCreated: number;
};

export type LiveRegistration = { sessionId: string; registered: boolean; registrants: number };

export const liveApi = {
  liveSessions: (
    params: { status?: LiveSessionFilter; country?: string; category?: string; cursor?: string | null; limit?: number },
    signal?: AbortSignal,
  ) =>
    request<Page<LiveSession>>('/api/live-sessions', {
      query: { status: params.status, country: params.country, category: params.category, cursor: params.cursor, limit: params.limit },
      signal,
    }),
  liveSession: (id: string, signal?: AbortSignal) => request<LiveSession>(`/api/live-sessions/${enc(id)}`, { signal }),
  scheduleLiveSession: (input: LiveSessionInput) => request<LiveSession>('/api/live-sessions', { method: 'POST', body: input }),
  updateLiveSession: (id: string, input: LiveSessionInput) =>
    request<LiveSession>(`/api/live-sessions/${enc(id)}`, { method: 'PUT', body: input }),
  cancelLiveSession: (id: string, reason: string | null) =>
    request<LiveEvent>(`/api/live-sessions/${enc(id)}/cancel`, { method: 'POST', body: { reason } }),
  startLiveSession: (id: string) => request<LiveEvent>(`/api/live-sessions/${enc(id)}/start`, { method: 'POST' }),
  endLiveSession: (id: string) => request<LiveEvent>(`/api/live-sessions/${enc(id)}/end`, { method: 'POST' }),
  registerForLiveSession: (id: string) => request<LiveRegistration>(`/api/live-sessions/${enc(id)}/register`, { method: 'POST' }),
  unregisterFromLiveSession: (id: string) => request<LiveRegistration>(`/api/live-sessions/${enc(id)}/register`, { method: 'DELETE' }),
  liveSessionReport: (id: string, signal?: AbortSignal) => request<LiveReport>(`/api/live-sessions/${enc(id)}/report`, { signal }),
  liveSessionInterests: (id: string, signal?: AbortSignal) => request<LiveInterest[]>(`/api/live-sessions/${enc(id)}/interests`, { signal }),
  offerFromInterest: (id: string, interestId: string) =>
    request<{ roomId: string; sequence: number; offerId: string }>(`/api/live-sessions/${enc(id)}/interests/${enc(interestId)}/offer`, {
      method: 'POST',
    }),
  /** The session as an iCalendar file (a plain link: the browser downloads it). */
  liveSessionCalendarUrl: (id: string) => `/api/live-sessions/${enc(id)}/calendar.ics`,
  liveSessionReportCsvUrl: (id: string) => `/api/live-sessions/${enc(id)}/report.csv`,
};
