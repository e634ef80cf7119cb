// Texts the server makes for people (notifications, match reasons, room system events, problems) travel as a stable
// code with parameters beside an English text. This module words them in the user's language: the template comes from
// the dictionaries, numbers and units from format.ts; an unknown code falls back to the server's English.
import type { CodedFieldError, Notification, ServerText } from './api';
import en from './i18n/en';
import type { MessageKey, Params, Translate } from './i18n';
import { countryName } from './countries';
import { formatDateTime, formatDecimal, formatMoney, formatPrice, formatQuantity } from './format';
import { unitLabel } from './labels';

export type TextContext = {
  t: Translate;
  locale: string;
  /** A commodity's name by its taxonomy key (e.g. "wheat" → "小麦"); the key when unknown. */
  commodity?: (key: string) => string;
  /** A spec's label by its key within the commodity's schema ("protein" → "蛋白质"). */
  spec?: (key: string) => string;
};

/** The dictionary key for a code, if the dictionaries have one. */
export function keyFor(prefix: string, code: string | null | undefined): MessageKey | null {
  if (!code) return null;
  const key = `${prefix}.${code}`;
  return Object.prototype.hasOwnProperty.call(en, key) ? (key as MessageKey) : null;
}

/** A spec value with its unit as traders write it: "12.5%", "76 kg/hl". */
function withUnit(value: string, unit: string | undefined, locale: string): string {
  const text = formatDecimal(value, locale);
  if (!unit) return text;
  return unit === '%' ? `${text}%` : `${text} ${unit}`;
}

function rangeText(p: Record<string, string>, locale: string): string {
  const min = p['min'] !== undefined ? formatDecimal(p['min'], locale) : null;
  const max = p['max'] !== undefined ? formatDecimal(p['max'], locale) : null;
  if (min !== null && max !== null) return `${min}–${max}`;
  if (min !== null) return `≥ ${min}`;
  if (max !== null) return `≤ ${max}`;
  return p['options'] ?? '';
}

/** A match reason in the user's language ("蛋白质 14.7%，在 12–15 范围内"). */
export function renderReason(reason: ServerText, ctx: TextContext): string {
  const key = keyFor('reason', reason.code);
  if (!key) return reason.text;
  const p = reason.params ?? {};
  const { t, locale } = ctx;
  const values: Params = { ...p };
  if (p['key'] !== undefined) values['spec'] = ctx.spec?.(p['key']) ?? p['key'];
  if (p['value'] !== undefined) values['value'] = withUnit(p['value'], p['unit'], locale);
  if (reason.code.startsWith('spec_')) values['range'] = rangeText(p, locale);
  if (p['quantity'] !== undefined && p['unit'] !== undefined && reason.code.startsWith('covers_')) {
    values['quantity'] = formatQuantity({ value: p['quantity'], unit: p['unit'] }, locale, t);
  }
  if (p['percent'] !== undefined) values['percent'] = formatDecimal(p['percent'], locale);
  if (p['country'] !== undefined) values['country'] = countryName(p['country'], locale);
  return t(key, values);
}

/** A notification's line in the user's language; notices stored before codes show their English title. */
export function renderNotification(n: Pick<Notification, 'code' | 'params' | 'text' | 'title'>, ctx: TextContext): string {
  const key = keyFor('notify', n.code);
  if (!key) return n.text || n.title;
  const p = n.params ?? {};
  const { t, locale } = ctx;
  const values: Params = { ...p };
  // A parameter given per language ("listing_zh" beside "listing") is read in the user's language.
  const lang = locale.slice(0, 2).toLowerCase();
  for (const name of Object.keys(p)) {
    const own = p[`${name}_${lang}`];
    if (own) values[name] = own;
  }
  if (p['commodity'] !== undefined) values['commodity'] = ctx.commodity?.(p['commodity']) ?? p['commodity'];
  if (p['count'] !== undefined) values['count'] = formatDecimal(p['count'], locale);
  if (p['amount'] !== undefined && p['currency'] !== undefined) {
    values['price'] = p['unit'] !== undefined ? formatPrice({ amount: p['amount'], currency: p['currency'], unit: p['unit'] }, locale, t) : '';
    values['total'] = formatMoney({ amount: p['amount'], currency: p['currency'] }, locale);
  }
  if (p['threshold'] !== undefined && p['thresholdCurrency'] !== undefined) {
    values['threshold'] = formatMoney({ amount: p['threshold'], currency: p['thresholdCurrency'] }, locale);
  }
  if (p['startsAt'] !== undefined) values['startsAt'] = formatDateTime(p['startsAt'], locale);
  if (p['quantity'] !== undefined) {
    const unit = p['quantityUnit'] ?? p['unit'];
    values['quantity'] = unit ? formatQuantity({ value: p['quantity'], unit }, locale, t) : formatDecimal(p['quantity'], locale);
  }
  return t(key, values);
}

/** A room system event ({ code | action, text }) in the user's language. */
export function renderSystemEvent(payload: Record<string, unknown>, t: Translate): string {
  const code = typeof payload['code'] === 'string' ? payload['code'] : typeof payload['action'] === 'string' ? payload['action'] : null;
  const key = keyFor('negotiation.event', code);
  if (key) return t(key);
  return typeof payload['text'] === 'string' ? payload['text'] : t('negotiation.event.room_opened');
}

const problemKeys: Record<string, MessageKey> = {
  not_found: 'error.notFound',
  forbidden: 'error.forbidden',
  unauthenticated: 'error.unauthenticated',
  conflict: 'error.conflict',
  rate_limited: 'error.rateLimited',
  server_error: 'error.server',
};

/** A problem's title in the user's language by its code; null when the code has no wording (show the server's). */
export function problemTitle(code: string | null | undefined, t: Translate): string | null {
  const key = code ? problemKeys[code] : undefined;
  return key ? t(key) : null;
}

/** A unit after a bound: "%" sticks to the number, other units follow a space, in the dictionary's words ("12 т"). */
function unitSuffix(unit: string | undefined, t: Translate): string {
  if (!unit) return '';
  return unit === '%' ? '%' : ` ${unitLabel(unit, t)}`;
}

/**
 * One per-field error of a 400 in the user's language, from its code and parameters (numbers through format.ts);
 * the server's English when the code, or the format it names, has no wording.
 */
export function renderFieldError(error: CodedFieldError, t: Translate, locale: string): string {
  const p = error.params;
  const n = (v: string) => formatDecimal(v, locale);
  switch (error.code) {
    case 'required':
      return t('fieldError.required');
    case 'too_long':
      return p['max'] ? t('fieldError.tooLong', { max: n(p['max']) }) : error.message;
    case 'too_short':
      return p['min'] ? t('fieldError.tooShort', { min: n(p['min']) }) : error.message;
    case 'out_of_range': {
      const unit = unitSuffix(p['unit'], t);
      if (p['min'] && p['max']) return t('fieldError.between', { min: n(p['min']), max: n(p['max']), unit });
      if (p['min']) return t('fieldError.atLeast', { min: n(p['min']), unit });
      if (p['max']) return t('fieldError.atMost', { max: n(p['max']), unit });
      return error.message;
    }
    case 'not_allowed':
      return p['allowed'] ? t('fieldError.notAllowed', { allowed: p['allowed'] }) : error.message;
    case 'invalid_format': {
      const key = keyFor('fieldError.format', p['format']);
      return key ? t(key, { decimals: p['decimals'] ?? '' }) : error.message;
    }
    default:
      return error.message;
  }
}
