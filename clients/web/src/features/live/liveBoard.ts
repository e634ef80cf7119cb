// What a session page holds of the live log, as pure functions: the board (status, pinned card, questions, chat)
// built from JoinSession's snapshot and advanced by events in sequence order, and the calendar's month grid.
import type { LiveEvent, LiveQuestion, LiveSessionStatus, LiveSnapshot, LiveStock, PinnedListing } from '../../api';

/** Chat messages kept on screen (the snapshot brings the last 50; older ones scroll away). */
export const maxChatShown = 200;

export type LiveBoard = {
  status: LiveSessionStatus;
  pinned: PinnedListing | null;
  /** Most votes first, then the oldest (see orderQuestions). */
  questions: LiveQuestion[];
  /** Chat by sequence. */
  chat: LiveEvent[];
  /** Interest statements seen per listing id while the page is open. */
  interests: Record<string, number>;
  muted: boolean;
  /** Every event up to here is applied; a later one waits in `pending` until the gap is filled. */
  upTo: number;
  pending: ReadonlyMap<number, LiveEvent>;
};

/** Questions as the board shows them: most votes first, then the one asked first. */
export function orderQuestions(questions: readonly LiveQuestion[]): LiveQuestion[] {
  return [...questions].sort((a, b) => b.votes - a.votes || a.askedAt.localeCompare(b.askedAt) || a.id.localeCompare(b.id));
}

/**
 * The board as JoinSession answers it. The snapshot was read at `session.lastSequence` or later, so the events it
 * carries up to there are already in it; later ones are applied (all of them are idempotent).
 */
export function boardFromSnapshot(snapshot: LiveSnapshot, meId: string | undefined): LiveBoard {
  const board: LiveBoard = {
    status: snapshot.session.status,
    pinned: snapshot.pinned,
    questions: orderQuestions(snapshot.questions),
    chat: [...snapshot.chat].sort((a, b) => a.sequence - b.sequence),
    interests: {},
    muted: snapshot.muted,
    upTo: snapshot.session.lastSequence,
    pending: new Map(),
  };
  return receiveEvents(board, snapshot.events, meId).board;
}

/**
 * Merges events into the board by sequence: ones already applied are ignored (a push and a catch-up may bring the
 * same one), later ones wait until the gap before them is filled. `gap` says the caller should catch up.
 */
export function receiveEvents(board: LiveBoard, incoming: readonly LiveEvent[], meId: string | undefined): { board: LiveBoard; gap: boolean; added: number } {
  const pending = new Map(board.pending);
  for (const e of incoming) if (e.sequence > board.upTo) pending.set(e.sequence, e);
  let next: LiveBoard = board;
  let upTo = board.upTo;
  let added = 0;
  for (let e = pending.get(upTo + 1); e; e = pending.get(upTo + 1)) {
    next = applyEvent(next, e, meId);
    pending.delete(upTo + 1);
    upTo++;
    added++;
  }
  return { board: { ...next, upTo, pending }, gap: pending.size > 0, added };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function updateQuestion(questions: readonly LiveQuestion[], id: string, change: (q: LiveQuestion) => LiveQuestion): LiveQuestion[] {
  return orderQuestions(questions.map((q) => (q.id === id ? change(q) : q)));
}

/** One event's effect on the board. */
export function applyEvent(board: LiveBoard, e: LiveEvent, meId: string | undefined): LiveBoard {
  const p = e.payload;
  switch (e.type) {
    case 'chat': {
      if (board.chat.some((c) => c.sequence === e.sequence)) return board;
      const chat = [...board.chat, e].sort((a, b) => a.sequence - b.sequence);
      return { ...board, chat: chat.slice(-maxChatShown) };
    }
    case 'question': {
      const id = text(p['questionId']);
      if (!id || board.questions.some((q) => q.id === id)) return board;
      const asked: LiveQuestion = {
        id,
        sequence: e.sequence,
        askedBy: e.actor?.userId ?? '',
        text: text(p['text']),
        votes: typeof p['votes'] === 'number' ? p['votes'] : 0,
        votedByMe: false,
        answer: null,
        askedAt: e.at,
        answeredAt: null,
        author: e.actor,
      };
      return { ...board, questions: orderQuestions([...board.questions, asked]) };
    }
    case 'question_upvoted': {
      const votes = p['votes'];
      const mine = !!meId && e.actor?.userId === meId;
      return {
        ...board,
        questions: updateQuestion(board.questions, text(p['questionId']), (q) => ({
          ...q,
          votes: typeof votes === 'number' ? votes : q.votes + 1,
          votedByMe: q.votedByMe || mine,
        })),
      };
    }
    case 'question_answered':
      return {
        ...board,
        questions: updateQuestion(board.questions, text(p['questionId']), (q) => ({ ...q, answer: text(p['answer']), answeredAt: e.at })),
      };
    case 'hidden': {
      const target = p['sequence'];
      const questionId = text(p['questionId']);
      return {
        ...board,
        chat: board.chat.filter((c) => c.sequence !== target),
        questions: board.questions.filter((q) => q.sequence !== target && q.id !== questionId),
      };
    }
    case 'listing_pinned': {
      const listing = p['listing'];
      return listing && typeof listing === 'object' ? { ...board, pinned: listing as PinnedListing } : board;
    }
    case 'pinned_stock': {
      const stock = p['stock'];
      if (!board.pinned || text(p['listingId']).toLowerCase() !== board.pinned.id.toLowerCase() || !stock || typeof stock !== 'object') return board;
      return { ...board, pinned: { ...board.pinned, stock: stock as LiveStock } };
    }
    case 'interest': {
      const listingId = text(p['listingId']);
      return listingId ? { ...board, interests: { ...board.interests, [listingId]: (board.interests[listingId] ?? 0) + 1 } } : board;
    }
    case 'muted':
      return meId && p['userId'] === meId ? { ...board, muted: true } : board;
    case 'started':
      return { ...board, status: 'live' };
    case 'ended':
      return { ...board, status: 'ended' };
    case 'cancelled':
      return { ...board, status: 'cancelled' };
    default:
      return board;
  }
}

// ---------- Calendar ----------

export type CalendarDay = { date: string; inMonth: boolean };

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The weeks (Monday first) that cover a month: days before the 1st and after the last day come from the months
 * around it. `month` is 1–12; dates are yyyy-mm-dd. Works on calendar dates only, so no time zone shifts a day.
 */
export function monthGrid(year: number, month: number): CalendarDay[][] {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // Monday = 0
  const cells = Math.ceil((lead + daysInMonth) / 7) * 7;
  const weeks: CalendarDay[][] = [];
  for (let i = 0; i < cells; i++) {
    const d = new Date(Date.UTC(year, month - 1, 1 - lead + i));
    const day: CalendarDay = {
      date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
      inMonth: d.getUTCMonth() === month - 1,
    };
    if (i % 7 === 0) weeks.push([]);
    weeks[weeks.length - 1]!.push(day);
  }
  return weeks;
}

/** The month before or after (delta −1 / +1). */
export function shiftMonth(year: number, month: number, delta: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** Items grouped by the yyyy-mm-dd their time falls on (`dayOf` gives it, e.g. in the user's time zone). */
export function byDay<T>(items: readonly T[], dayOf: (item: T) => string): Map<string, T[]> {
  const days = new Map<string, T[]>();
  for (const item of items) {
    const day = dayOf(item);
    const list = days.get(day);
    if (list) list.push(item);
    else days.set(day, [item]);
  }
  return days;
}
