// A binding acceptance that waits for a second Owner (CONTRACT.md: 202 { approvalId, status: "pending_approval" }),
// as the room page reads it from the acceptance's answer and from the room's log.
import type { RoomEvent, Side } from '../../api';

/** The answer to an acceptance that needs a second Owner: the deal does not exist yet, the offer stays open. */
export type PendingApproval = { approvalId: string; status: 'pending_approval'; event?: RoomEvent };

export function isPendingApproval(answer: unknown): answer is PendingApproval {
  return typeof answer === 'object' && answer !== null && (answer as { status?: unknown }).status === 'pending_approval';
}

/** Events that settle a pending acceptance: it was approved, or the offer closed in another way. */
const settling = new Set(['offer_accepted', 'offer_declined', 'offer_withdrawn', 'offer_expired', 'deal_created', 'counter']);

/**
 * The acceptance awaiting a second Owner of the caller's side, read from the room's log (`acceptance_pending`); null
 * once the offer is accepted or closed, and for the other side (it waits on the accepting organization only). `mine`
 * is set for the user who accepted: another Owner approves.
 */
export function pendingApproval(events: readonly RoomEvent[], meId: string | undefined, mySide: Side | null | undefined): (PendingApproval & { mine: boolean }) | null {
  let pending: (PendingApproval & { mine: boolean }) | null = null;
  for (const e of events) {
    const approvalId = e.payload['approvalId'];
    if (e.type === 'acceptance_pending' && typeof approvalId === 'string') {
      pending = e.actor?.side === mySide ? { approvalId, status: 'pending_approval', mine: !!meId && e.actor?.userId === meId } : null;
    } else if (settling.has(e.type)) {
      pending = null;
    }
  }
  return pending;
}
