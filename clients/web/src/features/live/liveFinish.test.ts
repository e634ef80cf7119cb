import { describe, expect, it } from 'vitest';
import type { LiveEvent, LiveSnapshot, PinnedListing } from '../../api';
import { translatorFor } from '../../i18n';
import { authorLabel } from './components/Floor';
import { boardFromSnapshot, receiveEvents } from './liveBoard';
import { viewerKey } from './useLiveSession';

const pinned = { id: 'L1', stock: { onHand: '1000', reserved: '0', available: '1000', unit: 't' } } as unknown as PinnedListing;

const snapshot = (lastSequence: number): LiveSnapshot => ({
  session: { status: 'live', lastSequence } as LiveSnapshot['session'],
  pinned,
  questions: [],
  chat: [],
  events: [],
  viewers: 1,
  role: 'viewer',
  muted: false,
});

const event = (sequence: number, type: string, payload: Record<string, unknown>, actor: LiveEvent['actor'] = null): LiveEvent => ({
  sessionId: 's1',
  sequence,
  type,
  actor,
  at: '2026-12-03T09:00:00Z',
  payload,
  hidden: false,
});

describe('pinned_stock', () => {
  it('updates the pinned card of the same listing only', () => {
    const board = boardFromSnapshot(snapshot(3), undefined);
    const reserved = receiveEvents(board, [event(4, 'pinned_stock', { listingId: 'l1', stock: { onHand: '1000', reserved: '100', available: '900', unit: 't' } })], undefined);
    expect(reserved.board.pinned?.stock.available).toBe('900');
    const other = receiveEvents(reserved.board, [event(5, 'pinned_stock', { listingId: 'L2', stock: { available: '1' } })], undefined);
    expect(other.board.pinned?.stock.available).toBe('900');
  });
});

describe('authorLabel', () => {
  const t = translatorFor('en');
  it('shows the display name and organization, and says which one is me', () => {
    const actor = { userId: 'u-1234', role: 'viewer', name: 'Li Wei', organization: 'Qingdao Mills' };
    expect(authorLabel(actor, undefined, t)).toBe('Li Wei · Qingdao Mills');
    expect(authorLabel(actor, 'u-1234', t)).toBe('Li Wei · Qingdao Mills (you)');
    expect(authorLabel({ userId: 'abcd-9', role: 'host', name: null, organization: null }, undefined, t)).toBe('Host');
    expect(authorLabel({ userId: 'abcd-9', role: 'viewer', organization: 'Qingdao Mills' }, undefined, t)).toBe('Viewer abcd · Qingdao Mills');
  });
});

describe('viewerKey', () => {
  it('keeps one random key per browser and replaces a tampered one', () => {
    const held = new Map<string, string>();
    const storage = { getItem: (k: string) => held.get(k) ?? null, setItem: (k: string, v: string) => void held.set(k, v) };
    const first = viewerKey(storage);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    expect(viewerKey(storage)).toBe(first);
    held.set('scoda.live.viewerKey', '<script>');
    expect(viewerKey(storage)).not.toBe('<script>');
    expect(viewerKey(null)).toBeNull();
  });
});
