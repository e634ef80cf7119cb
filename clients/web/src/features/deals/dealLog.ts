// What the deal page reads from a deal: its log in order, the checklist in figures, the buttons its state allows.
// Pure functions, tested in dealLog.test.ts.
import type { ActorSide, AllowedTransition, ChecklistItem, DealAction, DealEvent, DealStatus, Decimal } from '../../api';
import { decimalText } from '../../format';

/** The way a deal goes when nothing goes wrong (DESIGN.md "Deal"). */
export const happyPath: readonly DealStatus[] = ['agreed', 'depositPending', 'depositPaid', 'shipped', 'delivered', 'completed'];

/** Where a deal ends off the happy path. */
export const sidePaths: readonly DealStatus[] = ['cancelled', 'disputed'];

function eventKey(e: DealEvent): string {
  return typeof e.sequence === 'number' ? `#${e.sequence}` : `${e.at}|${e.kind}|${e.from ?? ''}|${e.to ?? ''}|${e.documentId ?? ''}`;
}

function compareEvents(a: DealEvent, b: DealEvent): number {
  if (typeof a.sequence === 'number' && typeof b.sequence === 'number') return a.sequence - b.sequence;
  const at = Date.parse(a.at) - Date.parse(b.at);
  return Number.isNaN(at) ? 0 : at;
}

/**
 * The deal's log oldest first, whatever order the answers came in: the page's read and live pushes merge here, so an
 * event pushed twice shows once and one pushed late falls into its place.
 */
export function mergeEvents(known: readonly DealEvent[], incoming: readonly DealEvent[]): DealEvent[] {
  const byKey = new Map<string, DealEvent>();
  for (const e of known) byKey.set(eventKey(e), e);
  for (const e of incoming) byKey.set(eventKey(e), e);
  return [...byKey.values()].sort(compareEvents);
}

/** The highest sequence held (0 when the log carries none): a push past it means the page reads the deal again. */
export function lastSequence(events: readonly DealEvent[]): number {
  return events.reduce((max, e) => (typeof e.sequence === 'number' && e.sequence > max ? e.sequence : max), 0);
}

export type Step = { status: DealStatus; state: 'done' | 'current' | 'next' | 'skipped'; at: string | null };

/**
 * The happy path as steps, each marked done, current or still to come; a cancelled or disputed deal adds its end as
 * the current step and the path's later steps are skipped. `at` is when the log says the deal entered the step.
 */
export function steps(status: string, events: readonly DealEvent[]): Step[] {
  const entered = new Map<string, string>();
  for (const e of [...events].sort(compareEvents)) if (e.to && !entered.has(e.to)) entered.set(e.to, e.at);
  const at = (s: DealStatus) => entered.get(s) ?? null;
  if (!(sidePaths as readonly string[]).includes(status)) {
    const current = Math.max(0, happyPath.indexOf(status as DealStatus));
    return happyPath.map((s, i) => ({
      status: s,
      state: i < current || status === 'completed' ? 'done' : i === current ? 'current' : 'next',
      at: at(s),
    }));
  }
  // Off the path, the last step of the path the log reached is where the deal left it.
  const reached = Math.max(0, ...happyPath.map((s, i) => (entered.has(s) ? i : 0)));
  const path: Step[] = happyPath.map((s, i) => ({ status: s, state: i <= reached ? 'done' : 'skipped', at: at(s) }));
  path.push({ status: status as DealStatus, state: 'current', at: at(status as DealStatus) });
  return path;
}

export type ChecklistSummary = {
  required: number;
  accepted: number;
  /** Uploaded and waiting for the buyer's answer. */
  awaiting: number;
  rejected: number;
  missing: number;
  /** Every required document accepted: what completing the deal needs. */
  complete: boolean;
};

/** The checklist in figures (required documents only; optional ones are counted nowhere). */
export function summarizeChecklist(items: readonly ChecklistItem[]): ChecklistSummary {
  const required = items.filter((i) => i.required);
  const count = (status: ChecklistItem['status']) => required.filter((i) => i.status === status).length;
  const accepted = count('accepted');
  return {
    required: required.length,
    accepted,
    awaiting: count('uploaded'),
    rejected: count('rejected'),
    missing: count('missing'),
    complete: accepted === required.length,
  };
}

/** The order the buttons appear in: forward moves first, the way out last. */
const actionOrder: readonly DealAction[] = ['ship', 'deliver', 'complete', 'dispute', 'cancel', 'resolveComplete', 'resolveResume', 'resolveCancel'];

/** Actions whose confirmation asks for a reason the counterpart will read. */
export const reasonRequired: ReadonlySet<DealAction> = new Set(['cancel', 'dispute', 'resolveComplete', 'resolveCancel', 'resolveResume']);

/**
 * The buttons to show, in a fixed order: the sides' actions among the transitions the server allows the caller now,
 * and an admin's resolutions of a dispute: complete, cancel, or resume where the dispute was opened (the system's own
 * moves, such as confirming a deposit, have none).
 */
export function availableActions(allowed: readonly (AllowedTransition | string)[] | undefined): DealAction[] {
  const given = new Set<string>();
  for (const a of allowed ?? []) {
    if (typeof a === 'string') given.add(a.toLowerCase());
    else if (a.action === 'resolve') given.add(a.to === 'completed' ? 'resolvecomplete' : a.to === 'cancelled' ? 'resolvecancel' : 'resolveresume');
    else given.add(a.action.toLowerCase());
  }
  return actionOrder.filter((a) => given.has(a.toLowerCase()));
}

/**
 * The Idempotency-Key of a deposit attempt: kept while the attempt is unanswered (a retry after a network error or a
 * server error sends the same key, so the server answers with the first result); a new attempt starts after an answer
 * that settled it (success, or a refusal that retrying cannot change).
 */
export type AttemptOutcome = 'answered' | 'refused' | 'retryable';

export function keyAfter(key: string, outcome: AttemptOutcome): string | null {
  return outcome === 'retryable' ? key : null;
}

/** Whether a failed request may be retried with the same key: no answer, a timeout, a rate limit or a server error. */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * The side an event's actor acted for: as the server recorded it (buyer, seller, admin, system), else, for an event of an
 * older server, the one the state machine leaves (the seller uploads and ships, the buyer decides on documents and
 * confirms delivery); null where that cannot be told.
 */
export function actorSide(e: DealEvent): ActorSide | null {
  if (e.actorSide === 'buyer' || e.actorSide === 'seller' || e.actorSide === 'admin' || e.actorSide === 'system') return e.actorSide;
  if (!e.actorUserId) return null;
  if (e.kind === 'document_uploaded' || (e.kind === 'transition' && e.to === 'shipped')) return 'seller';
  if (e.kind === 'document_accepted' || e.kind === 'document_rejected' || (e.kind === 'transition' && e.to === 'delivered')) return 'buyer';
  return null;
}

function scaled(value: Decimal): { digits: bigint; scale: number } | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimalText(value));
  if (!m) return null;
  const [, sign = '', whole = '0', fraction = ''] = m;
  const digits = BigInt(whole + fraction);
  return { digits: sign === '-' ? -digits : digits, scale: fraction.length };
}

/** a − b of two decimals, exactly (the balance is the total less the deposit); null when either is not a decimal. */
export function subtractDecimals(a: Decimal, b: Decimal): string | null {
  const x = scaled(a);
  const y = scaled(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  const difference = x.digits * 10n ** BigInt(scale - x.scale) - y.digits * 10n ** BigInt(scale - y.scale);
  const negative = difference < 0n;
  const text = (negative ? -difference : difference).toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const fraction = text.slice(text.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** What the buyer may pay or record now, read from the deal's state, its payment terms and the payments there are. */
export type PayActions = { deposit: boolean; balance: boolean; instrument: 'letterOfCredit' | 'documentaryCollection' | null };

const liveStatuses = new Set(['pending', 'authorized', 'succeeded']);
const beforeDelivery = new Set(['agreed', 'depositPending', 'depositPaid', 'shipped', 'delivered']);

export function payActions(status: string, paymentTerms: string, payments: readonly { kind: string; status: string }[]): PayActions {
  const taken = (kind: string) => payments.some((p) => p.kind === kind && liveStatuses.has(p.status));
  const secured = paymentTerms.startsWith('lc_') ? 'letterOfCredit' : paymentTerms === 'cad' || paymentTerms === 'dp' ? 'documentaryCollection' : null;
  return {
    deposit: (status === 'agreed' || status === 'depositPending') && !taken('deposit'),
    // By transfer, the balance is paid against the documents once the deposit is in; an L/C or a collection pays it otherwise.
    balance: secured === null && ['depositPaid', 'shipped', 'delivered'].includes(status) && !taken('balance'),
    instrument: secured !== null && beforeDelivery.has(status) && !taken(secured) ? secured : null,
  };
}
