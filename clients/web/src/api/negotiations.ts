import { enc, type LocalizedText, type Money, type Page, type PriceValue, type QuantityValue, type Decimal } from './common';
import { request } from './client';

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
  /** Price × quantity: shown before accepting and echoed as the binding confirmation. */
  total: Money;
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

/** The most events one read of a room's log returns (JoinRoom, GET …/events). */
export const maxEventsPerRead = 500;

/** What a binding acceptance sends: the total the user was shown and confirmed (it must equal the offer's). */
export type AcceptConfirmation = { total: Money };

/** A 202 to an acceptance above the organization's approval threshold: a second Owner must approve it. */
export type AcceptanceApproval = { approvalId: string; status: 'pending_approval'; event: RoomEvent };

export const negotiationsApi = {
  /** Opens the room for a listing and a buyer organization, or answers with the open one that exists. */
  openNegotiation: (input: { listingId: string; buyerOrganizationId: string; buyRequestId?: string; message?: string }) =>
    request<Room>('/api/negotiations', { method: 'POST', body: input }),
  negotiations: (params: { role?: Side | null; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<Room>>('/api/negotiations', { query: { role: params.role, cursor: params.cursor, limit: params.limit }, signal }),
  negotiation: (id: string, signal?: AbortSignal) => request<Room>(`/api/negotiations/${enc(id)}`, { signal }),
  /** The room's log after `after`; nextCursor (the last sequence) when there is more. */
  negotiationEvents: (id: string, after: number, limit?: number, signal?: AbortSignal) =>
    request<Page<RoomEvent>>(`/api/negotiations/${enc(id)}/events`, { query: { after, limit }, signal }),
  /** Accepts the other side's offer (binding): the stored event, or a pending approval when a second Owner must agree. */
  acceptOffer: (id: string, offerId: string, confirmation: AcceptConfirmation) =>
    request<RoomEvent | AcceptanceApproval>(`/api/negotiations/${enc(id)}/offers/${enc(offerId)}/accept`, { method: 'POST', body: confirmation }),
  /** Another Owner of the accepting organization approves a pending acceptance; the deal is made then. */
  approveAcceptance: (id: string, approvalId: string) =>
    request<RoomEvent>(`/api/negotiations/${enc(id)}/approvals/${enc(approvalId)}/approve`, { method: 'POST', body: {} }),
};
