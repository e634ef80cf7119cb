import { describe, expect, it } from 'vitest';
import type { LiveEvent, LiveQuestion, LiveSnapshot, PinnedListing } from '../../api';
import { boardFromSnapshot, byDay, monthGrid, orderQuestions, receiveEvents, shiftMonth } from './liveBoard';

const question = (id: string, votes: number, askedAt: string, sequence = 1): LiveQuestion => ({
  id,
  sequence,
  askedBy: 'u1',
  text: `q ${id}`,
  votes,
  votedByMe: false,
  answer: null,
  askedAt,
  answeredAt: null,
});

const event = (sequence: number, type: string, payload: Record<string, unknown>, userId = 'u2'): LiveEvent => ({
  sessionId: 's1',
  sequence,
  type,
  actor: { userId, role: 'viewer' },
  at: `2026-12-03T09:00:${String(sequence).padStart(2, '0')}Z`,
  payload,
  hidden: false,
});

function snapshot(lastSequence: number, more: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    session: { status: 'live', lastSequence } as LiveSnapshot['session'],
    pinned: null,
    questions: [],
    chat: [],
    events: [],
    viewers: 1,
    role: 'viewer',
    muted: false,
    ...more,
  };
}

describe('orderQuestions', () => {
  it('puts most votes first, then the question asked first', () => {
    const ordered = orderQuestions([
      question('a', 1, '2026-12-03T09:00:00Z'),
      question('b', 3, '2026-12-03T09:05:00Z'),
      question('c', 1, '2026-12-03T08:59:00Z'),
      question('d', 3, '2026-12-03T09:01:00Z'),
    ]);
    expect(ordered.map((q) => q.id)).toEqual(['d', 'b', 'c', 'a']);
  });
});

describe('receiveEvents', () => {
  it('applies events in sequence order and waits for a gap to be filled', () => {
    let board = boardFromSnapshot(snapshot(2), undefined);
    const early = receiveEvents(board, [event(4, 'chat', { text: 'later' })], undefined);
    expect(early.gap).toBe(true);
    expect(early.board.chat).toHaveLength(0);
    board = early.board;

    const filled = receiveEvents(board, [event(3, 'chat', { text: 'first' })], undefined);
    expect(filled.gap).toBe(false);
    expect(filled.added).toBe(2);
    expect(filled.board.chat.map((c) => c.payload['text'])).toEqual(['first', 'later']);
    expect(filled.board.upTo).toBe(4);
  });

  it('ignores events it already holds (a push and a catch-up bring the same one)', () => {
    const board = boardFromSnapshot(snapshot(0), undefined);
    const once = receiveEvents(board, [event(1, 'question', { questionId: 'q1', text: 'Moisture?', votes: 0 })], undefined).board;
    const twice = receiveEvents(once, [event(1, 'question', { questionId: 'q1', text: 'Moisture?', votes: 0 })], undefined);
    expect(twice.added).toBe(0);
    expect(twice.board.questions).toHaveLength(1);
  });

  it('events the snapshot already covers change nothing', () => {
    const board = boardFromSnapshot(
      snapshot(5, { questions: [question('q1', 4, '2026-12-03T09:00:00Z')], events: [event(5, 'question_upvoted', { questionId: 'q1', votes: 2 })] }),
      undefined,
    );
    expect(board.questions[0]!.votes).toBe(4);
    expect(board.upTo).toBe(5);
  });

  it('reorders the board on upvotes, marks answers and my own votes', () => {
    let board = boardFromSnapshot(
      snapshot(2, { questions: [question('q1', 1, '2026-12-03T09:00:00Z', 1), question('q2', 0, '2026-12-03T09:01:00Z', 2)] }),
      'me',
    );
    board = receiveEvents(
      board,
      [event(3, 'question_upvoted', { questionId: 'q2', votes: 1 }, 'me'), event(4, 'question_upvoted', { questionId: 'q2', votes: 2 })],
      'me',
    ).board;
    expect(board.questions.map((q) => q.id)).toEqual(['q2', 'q1']);
    expect(board.questions[0]!.votedByMe).toBe(true);
    board = receiveEvents(board, [event(5, 'question_answered', { questionId: 'q1', answer: '13.5% on a dry basis' })], 'me').board;
    expect(board.questions.find((q) => q.id === 'q1')!.answer).toBe('13.5% on a dry basis');
  });

  it('takes hidden items off, follows the pin, the status and my mute', () => {
    let board = boardFromSnapshot(snapshot(0), 'me');
    board = receiveEvents(
      board,
      [
        event(1, 'chat', { text: 'spam' }),
        event(2, 'hidden', { sequence: 1 }),
        event(3, 'listing_pinned', { listing: { id: 'l1' } }),
        event(4, 'interest', { listingId: 'l1', quantity: 500, unit: 't' }),
        event(5, 'muted', { userId: 'me' }),
        event(6, 'ended', { status: 'ended' }),
      ],
      'me',
    ).board;
    expect(board.chat).toHaveLength(0);
    expect(board.pinned?.id).toBe('l1');
    expect(board.interests).toEqual({ l1: 1 });
    expect(board.muted).toBe(true);
    expect(board.status).toBe('ended');
  });
});

describe('monthGrid', () => {
  it('covers a month in whole weeks starting on Monday', () => {
    const weeks = monthGrid(2026, 12);
    // 1 December 2026 is a Tuesday: the grid starts on Monday 30 November and ends on Sunday 3 January.
    expect(weeks[0]![0]).toEqual({ date: '2026-11-30', inMonth: false });
    expect(weeks[0]![1]).toEqual({ date: '2026-12-01', inMonth: true });
    expect(weeks.at(-1)!.at(-1)).toEqual({ date: '2027-01-03', inMonth: false });
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks.flat().filter((d) => d.inMonth)).toHaveLength(31);
  });

  it('has four weeks for a February that starts on Monday', () => {
    expect(monthGrid(2027, 2)).toHaveLength(4);
  });

  it('shifts across years', () => {
    expect(shiftMonth(2026, 12, 1)).toEqual({ year: 2027, month: 1 });
    expect(shiftMonth(2026, 1, -1)).toEqual({ year: 2025, month: 12 });
  });

  it('groups items by day', () => {
    const days = byDay(['2026-12-03T09:00', '2026-12-03T18:00', '2026-12-04T01:00'], (s) => s.slice(0, 10));
    expect(days.get('2026-12-03')).toHaveLength(2);
    expect(days.get('2026-12-04')).toHaveLength(1);
  });
});

describe('pinned_stock', () => {
  const pinned = { id: 'L1', stock: { onHand: '1000', reserved: '0', available: '1000', unit: 't' } } as unknown as PinnedListing;
  it('updates the pinned card of the same listing only', () => {
    const board = boardFromSnapshot(snapshot(3, { pinned }), undefined);
    const reserved = receiveEvents(board, [event(4, 'pinned_stock', { listingId: 'l1', stock: { onHand: '1000', reserved: '100', available: '900', unit: 't' } })], undefined);
    expect(reserved.board.pinned?.stock.available).toBe('900');
    const other = receiveEvents(reserved.board, [event(5, 'pinned_stock', { listingId: 'L2', stock: { available: '1' } })], undefined);
    expect(other.board.pinned?.stock.available).toBe('900');
  });
});
