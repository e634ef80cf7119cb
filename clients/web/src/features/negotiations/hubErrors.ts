import { ApiError } from '../../api';
import { errorMessages } from '../../errors';
import type { Translate } from '../../i18n';

const hubCodes = ['not_found', 'forbidden', 'conflict', 'invalid', 'rate_limited'] as const;
type HubCode = (typeof hubCodes)[number];

/** A refused hub call: the stable code and the server's detail. SignalR puts "… HubException: " before them. */
export type HubFailure = { code: HubCode | null; detail: string };

export function hubFailure(error: unknown): HubFailure {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf('HubException: ');
  const text = at >= 0 ? message.slice(at + 'HubException: '.length) : message;
  const colon = text.indexOf(': ');
  const code = colon > 0 ? text.slice(0, colon) : '';
  return (hubCodes as readonly string[]).includes(code)
    ? { code: code as HubCode, detail: text.slice(colon + 2) }
    : { code: null, detail: text };
}

/**
 * An `invalid:` detail ("price.amount: Required.; deliveryWindow.to: On or after …") as messages by field. A message
 * may itself hold "; ", so a part starts only where a field path and ": " follow.
 */
export function invalidFields(detail: string): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const part of detail.split(/; (?=[A-Za-z][\w.[\]]*: )/)) {
    const at = part.indexOf(': ');
    if (at <= 0) continue;
    // Shape errors of the term sheet come as "terms.price.amount"; the form knows the field as "price.amount".
    const field = part.slice(0, at).replace(/^terms\./, '');
    (byField[field] ??= []).push(part.slice(at + 2));
  }
  return byField;
}

/** Stands for a call not made because the connection is down (the page says so instead of calling). */
export const notConnected = new Error('not connected');

/** What to show for a failed hub call (an `invalid:` refusal is listed by field, with the fields' labels). */
export function failureMessages(error: unknown, t: Translate, labels: Record<string, string> = {}): string[] {
  if (error === notConnected) return [t('negotiation.error.notConnected')];
  const failure = hubFailure(error);
  if (failure.code === 'invalid') {
    const errors = invalidFields(failure.detail);
    if (Object.keys(errors).length > 0) return errorMessages(new ApiError(400, { title: failure.detail, errors }), t, labels);
  }
  if (failure.code) return [failure.detail];
  return [t('negotiation.error.connection', { message: failure.detail })];
}
