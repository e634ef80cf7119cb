// What accepting an offer commits to, worked out before the user confirms: the contract value, exactly as the server
// computes it (price × quantity in the price's unit, rounded half to even to cents), by integer arithmetic on the
// decimals' text, never through a double.
import type { Decimal, Money, RoomEvent, TermSheet } from '../../api';
import { decimalText } from '../../format';

/** Size of each unit in its dimension's base (kg for mass, m3 for volume), as the server's Units has them. */
const unitSizes: Record<string, { dimension: string; size: bigint }> = {
  t: { dimension: 'mass', size: 1000n },
  kg: { dimension: 'mass', size: 1n },
  m3: { dimension: 'volume', size: 1n },
};

type Scaled = { digits: bigint; scale: number };

function scaled(value: Decimal): Scaled | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimalText(value));
  if (!m) return null;
  const [, sign = '', whole = '0', fraction = ''] = m;
  const digits = BigInt(whole + fraction);
  return { digits: sign === '-' ? -digits : digits, scale: fraction.length };
}

/** Rounds to cents, half to even (MidpointRounding.ToEven), and writes the decimal text. */
function toCents({ digits, scale }: Scaled): string {
  let cents: bigint;
  if (scale <= 2) {
    cents = digits * 10n ** BigInt(2 - scale);
  } else {
    const divisor = 10n ** BigInt(scale - 2);
    const negative = digits < 0n;
    const magnitude = negative ? -digits : digits;
    let quotient = magnitude / divisor;
    const twice = (magnitude % divisor) * 2n;
    if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) quotient += 1n;
    cents = negative ? -quotient : quotient;
  }
  const negative = cents < 0n;
  const text = (negative ? -cents : cents).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${text.slice(0, -2)}.${text.slice(-2)}`;
}

/** The total the acceptance commits to; null when the quantity's unit cannot be priced in the price's unit. */
export function offerTotal(terms: TermSheet): Money | null {
  const price = scaled(terms.price.amount);
  const quantity = scaled(terms.quantity.value);
  if (!price || !quantity) return null;
  let { digits, scale } = quantity;
  if (terms.quantity.unit !== terms.price.unit) {
    const from = unitSizes[terms.quantity.unit];
    const to = unitSizes[terms.price.unit];
    if (!from || !to || from.dimension !== to.dimension) return null;
    // quantity × from / to: multiply by the one, and divide by the other as a shift of the decimal point (sizes are powers of ten).
    digits *= from.size;
    scale += to.size.toString().length - 1;
  }
  return { amount: toCents({ digits: digits * price.digits, scale: scale + price.scale }), currency: terms.price.currency };
}

/** The answer to an acceptance that needs a second Owner: the deal does not exist yet, the offer stays open. */
export type PendingApproval = { approvalId: string; status: 'pending_approval' };

export function isPendingApproval(answer: unknown): answer is PendingApproval {
  return typeof answer === 'object' && answer !== null && (answer as { status?: unknown }).status === 'pending_approval';
}

/** Events that settle a pending acceptance: it was approved, or the offer closed in another way. */
const settling = new Set(['offer_accepted', 'offer_declined', 'offer_withdrawn', 'offer_expired', 'deal_created', 'counter']);

/**
 * The acceptance awaiting a second Owner, read from the room's log (a `system` event with action
 * `approval_requested`); null once the offer is accepted or closed. `mine` is set for the user who asked.
 */
export function pendingApproval(events: readonly RoomEvent[], meId: string | undefined): (PendingApproval & { mine: boolean }) | null {
  let pending: (PendingApproval & { mine: boolean }) | null = null;
  for (const e of events) {
    const p = e.payload;
    if ((e.type === 'approval_requested' || p['action'] === 'approval_requested') && typeof p['approvalId'] === 'string') {
      pending = { approvalId: p['approvalId'], status: 'pending_approval', mine: !!meId && e.actor?.userId === meId };
    } else if (settling.has(e.type) || p['action'] === 'approval_approved') {
      pending = null;
    }
  }
  return pending;
}
