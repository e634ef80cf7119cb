import { describe, expect, it } from 'vitest';
import type { RoomEvent } from '../../api';
import { isPendingApproval, pendingApproval } from './acceptance';

const at = '2026-12-03T09:00:00Z';
const event = (sequence: number, type: string, userId: string, side: 'buyer' | 'seller', payload: Record<string, unknown> = {}): RoomEvent => ({
  roomId: 'r1',
  sequence,
  type,
  actor: { userId, side },
  at,
  payload,
  hidden: false,
});

describe('an acceptance answer', () => {
  it('is a pending approval only when it says so', () => {
    expect(isPendingApproval({ approvalId: 'a1', status: 'pending_approval' })).toBe(true);
    expect(isPendingApproval({ sequence: 7, type: 'offer_accepted' })).toBe(false);
    expect(isPendingApproval(null)).toBe(false);
  });
});

describe('an acceptance waiting for a second Owner', () => {
  const log = [event(1, 'offer', 's1', 'seller', { offer: { id: 'o1' } }), event(2, 'acceptance_pending', 'b1', 'buyer', { offerId: 'o1', approvalId: 'a1' })];

  it('is shown to the accepting side, marked as mine for the one who accepted', () => {
    expect(pendingApproval(log, 'b1', 'buyer')).toEqual({ approvalId: 'a1', status: 'pending_approval', mine: true });
    expect(pendingApproval(log, 'b2', 'buyer')).toEqual({ approvalId: 'a1', status: 'pending_approval', mine: false });
  });

  it('is not the other side\'s business', () => {
    expect(pendingApproval(log, 's1', 'seller')).toBeNull();
  });

  it('ends when the offer is accepted, withdrawn or expires', () => {
    for (const closing of ['offer_accepted', 'offer_withdrawn', 'offer_expired', 'deal_created']) {
      expect(pendingApproval([...log, event(3, closing, 'b2', 'buyer', { offerId: 'o1' })], 'b2', 'buyer')).toBeNull();
    }
  });
});
