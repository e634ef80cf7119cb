import { enc, type Money, type Page } from './common';
import { request } from './client';
import type { RoomListing, RoomOrganization, Side, TermSheet } from './negotiations';

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


export const dealsApi = {
  deals: (params: { role?: Side | null; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<Deal>>('/api/deals', { query: { role: params.role, cursor: params.cursor, limit: params.limit }, signal }),
  deal: (id: string, signal?: AbortSignal) => request<Deal>(`/api/deals/${enc(id)}`, { signal }),
};
