import { enc, type Money, type Page, type QuantityValue } from './common';
import { request } from './client';
import type { RoomListing, RoomOrganization, Side, TermSheet } from './negotiations';

// ---------- Deals (CONTRACT.md "Negotiations and deals", deal routes) ----------

export type DealStatus = 'agreed' | 'depositPending' | 'depositPaid' | 'shipped' | 'delivered' | 'completed' | 'cancelled' | 'disputed';
export const dealStatuses: readonly DealStatus[] = ['agreed', 'depositPending', 'depositPaid', 'shipped', 'delivered', 'completed', 'cancelled', 'disputed'];

/** What a side may do to a deal by hand; each has its own route, POST /api/deals/{id}/{action}. */
export type SideAction = 'ship' | 'deliver' | 'complete' | 'cancel' | 'dispute';

/** A side's action, or an admin's resolution of a dispute (POST /api/deals/{id}/resolve with the outcome). */
export type DealAction = SideAction | 'resolveComplete' | 'resolveCancel' | 'resolveResume';

/** The side an event's actor acted for, as the server recorded it. */
export type ActorSide = 'buyer' | 'seller' | 'admin' | 'system';

/** The stock held for the deal, named: the warehouse and the lot, never the reservation's id. */
export type DealReservation = {
  warehouse: { id: string; name: string };
  lot: string;
  quantity: QuantityValue;
  /** active, shipped (a shipment movement in the warehouse ledger), released or expired. */
  status: 'active' | 'shipped' | 'released' | 'expired' | string;
};

export type DocumentStatus = 'missing' | 'uploaded' | 'accepted' | 'rejected';

/** One entry of a deal's document checklist: a kind the terms call for, and where its newest upload stands. */
export type ChecklistItem = {
  kind: string;
  required: boolean;
  /** Why the terms call for it (the server's English note). */
  reason?: string | null;
  /** Who must issue it (the inspection body named in the terms). */
  issuer?: string | null;
  status: DocumentStatus;
  documentId?: string | null;
  fileName?: string | null;
  rejectionReason?: string | null;
};

/** One entry of the deal's own event log (GET /api/deals/{id} lists them, /hubs/deals pushes them). */
export type DealEvent = {
  dealId?: string;
  sequence?: number;
  kind: 'created' | 'transition' | 'document_uploaded' | 'document_accepted' | 'document_rejected' | 'contract_generated' | string;
  from?: DealStatus | string | null;
  to?: DealStatus | string | null;
  actorUserId?: string | null;
  /** buyer, seller, admin or system (older servers send none). */
  actorSide?: ActorSide | string | null;
  reason?: string | null;
  documentId?: string | null;
  at: string;
};

/** A transition the caller may make now: its action (the route's last segment for the sides' actions) and the state it leads to. */
export type AllowedTransition = { action: DealAction | string; to: DealStatus | string };

export type Deal = {
  id: string;
  roomId: string;
  offerId: string;
  listing: RoomListing;
  buyer: RoomOrganization;
  seller: RoomOrganization;
  mySide: Side | null;
  status: DealStatus | string;
  terms: TermSheet;
  total: Money;
  deposit?: Money | null;
  reservationId?: string | null;
  reservation?: DealReservation | null;
  allowedTransitions?: readonly (AllowedTransition | string)[];
  checklist?: readonly ChecklistItem[];
  events?: readonly DealEvent[];
  contractSha256?: string | null;
  createdAt: string;
};

/** An admin's resolutions of a dispute, as the outcome POST /api/deals/{id}/resolve takes. */
const resolveOutcomes: Partial<Record<DealAction, string>> = { resolveComplete: 'completed', resolveCancel: 'cancelled', resolveResume: 'resumed' };

export const dealsApi = {
  deals: (params: { role?: Side | null; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<Deal>>('/api/deals', { query: { role: params.role, cursor: params.cursor, limit: params.limit }, signal }),
  deal: (id: string, signal?: AbortSignal) => request<Deal>(`/api/deals/${enc(id)}`, { signal }),
  /** A side's transition; a 409 names the transitions allowed instead. */
  dealTransition: (id: string, action: DealAction, reason?: string) =>
    action in resolveOutcomes
      ? request<DealEvent>(`/api/deals/${enc(id)}/resolve`, { method: 'POST', body: { outcome: resolveOutcomes[action], reason } })
      : request<DealEvent>(`/api/deals/${enc(id)}/${action}`, { method: 'POST', body: reason ? { reason } : {} }),
  uploadDealDocument: (id: string, kind: string, file: File) => {
    const form = new FormData();
    form.set('kind', kind);
    form.set('file', file);
    return request<ChecklistItem>(`/api/deals/${enc(id)}/documents`, { method: 'POST', body: form });
  },
  acceptDealDocument: (id: string, documentId: string) =>
    request<ChecklistItem>(`/api/deals/${enc(id)}/documents/${enc(documentId)}/accept`, { method: 'POST', body: {} }),
  rejectDealDocument: (id: string, documentId: string, reason: string) =>
    request<ChecklistItem>(`/api/deals/${enc(id)}/documents/${enc(documentId)}/reject`, { method: 'POST', body: { reason } }),
};

/** Addresses the browser downloads itself (a link, not a fetch): the cookie goes along, the server names the file. */
export const dealLinks = {
  contract: (id: string) => `/api/deals/${enc(id)}/contract`,
  document: (id: string, documentId: string) => `/api/deals/${enc(id)}/documents/${enc(documentId)}`,
};
