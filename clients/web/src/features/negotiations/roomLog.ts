// What the room page reads from its log of events, as pure functions.
import type { Offer, OfferStatus, RoomEvent, TermSheet, WarehouseRef } from '../../api';

/** Events after which the room itself (open offer, status, deal) has changed and is read again. */
export const roomChangingTypes = new Set(['offer', 'counter', 'offer_accepted', 'offer_declined', 'offer_withdrawn', 'offer_expired', 'deal_created']);

export const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Each offer's current status, read from the log: later events answer, counter, withdraw or expire it. */
/** The events that close an offer, and the status each leaves it in. */
const closingEvents: Partial<Record<string, OfferStatus>> = {
  offer_accepted: 'accepted',
  offer_declined: 'declined',
  offer_withdrawn: 'withdrawn',
  offer_expired: 'expired',
};

export function offerStatuses(events: readonly RoomEvent[]): Map<string, OfferStatus> {
  const statuses = new Map<string, OfferStatus>();
  for (const e of events) {
    const p = e.payload;
    const offerId = typeof p['offerId'] === 'string' ? p['offerId'] : null;
    switch (e.type) {
      case 'offer':
      case 'counter': {
        const offer = p['offer'] as Offer | undefined;
        if (offer) statuses.set(offer.id, statuses.get(offer.id) ?? 'open');
        const answered = typeof p['counterToOfferId'] === 'string' ? p['counterToOfferId'] : offer?.counterToOfferId;
        if (e.type === 'counter' && answered) statuses.set(answered, 'countered');
        break;
      }
      default: {
        const closed = closingEvents[e.type];
        if (closed && offerId) statuses.set(offerId, closed);
      }
    }
  }
  return statuses;
}

/** The terms of the latest offer in the log: where a new offer starts after one was declined or withdrawn. */
export function lastTerms(events: readonly RoomEvent[]): TermSheet | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const offer = events[i]!.payload['offer'] as Offer | undefined;
    if (offer?.terms) return offer.terms;
  }
  return null;
}

export function mergeWarehouses(known: WarehouseRef[], more: readonly WarehouseRef[]): WarehouseRef[] {
  const byId = new Map(known.map((w) => [w.id, w]));
  for (const w of more) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}
