// The one place where the app writes numbers, money, quantities, sizes and dates for a locale.
// Decimals from the API (money, quantities) are shown exactly as sent: grouped with the separators that
// Intl.NumberFormat gives for the locale, never passed through a double. Unit names come from the dictionaries.
import type { Decimal, LocalizedText, Money, PriceValue, QuantityValue } from './api';
import type { Translate } from './i18n';
import { unitLabel } from './labels';

/** A date-time from the API (ISO 8601) in the user's language; '' when absent or invalid. */
export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

/** The time of day of a date-time ("09:30", "9:30 AM"). */
export function formatTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(d);
}

/** A calendar month's heading ("December 2026", "декабрь 2026 г.", "2026年12月"); `month` is 1–12. */
export function formatMonthYear(year: number, month: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 15)));
}

/** Short weekday names from Monday to Sunday. */
export function weekdayNames(locale: string): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  // 7 December 2026 is a Monday.
  return Array.from({ length: 7 }, (_, i) => format.format(new Date(Date.UTC(2026, 11, 7 + i))));
}

/** A date-time for <input type="datetime-local"> (the user's time zone, minutes). */
export function toDateTimeInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${toDateInput(iso)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What a datetime-local input holds, as an ISO 8601 instant; null when empty or not a date-time. */
export function fromDateTimeInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// ---------- Decimals (money, quantities) ----------
// These helpers work on the decimal's text, never through Number().

/** The decimal's plain text ("245.5", "-12.345"); exponent forms a double may print are expanded. */
export function decimalText(value: Decimal | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value.trim() : String(value);
  const exp = /^([+-]?)(\d+)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
  if (!exp) return text;
  const [, sign = '', intPart = '0', fracPart = '', expText = '0'] = exp;
  const shift = parseInt(expText, 10);
  let digits = intPart + fracPart;
  let point = intPart.length + shift;
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  const i = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const f = digits.slice(point).replace(/0+$/, '');
  return `${sign === '-' ? '-' : ''}${i}${f ? `.${f}` : ''}`;
}

const separatorCache = new Map<string, { group: string; decimal: string }>();

function separators(locale: string): { group: string; decimal: string } {
  let found = separatorCache.get(locale);
  if (!found) {
    let group = ',';
    let decimal = '.';
    try {
      for (const part of new Intl.NumberFormat(locale).formatToParts(1234567.5)) {
        if (part.type === 'group') group = part.value;
        if (part.type === 'decimal') decimal = part.value;
      }
    } catch {
      // keep the defaults
    }
    found = { group, decimal };
    separatorCache.set(locale, found);
  }
  return found;
}

/** Groups the integer digits of a plain decimal text with the locale's separators ("12345.678" → "12,345.678"). */
export function groupDecimalText(text: string, locale: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign = '', intPart = '', fracPart] = m;
  const { group, decimal } = separators(locale);
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${sign === '-' ? '-' : ''}${grouped}${fracPart !== undefined ? decimal + fracPart : ''}`;
}

/** A decimal from the API, as sent, with thousands separators of the locale. */
export function formatDecimal(value: Decimal | null | undefined, locale: string): string {
  return groupDecimalText(decimalText(value), locale);
}

/** Rounds a plain decimal text half away from zero to exactly `digits` decimals, by digit arithmetic. */
export function roundDecimalText(text: string, digits: number): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign = '', intPart = '0', fracPart = ''] = m;
  if (fracPart.length <= digits) {
    const frac = fracPart.padEnd(digits, '0');
    return `${sign === '-' ? '-' : ''}${intPart}${digits > 0 ? `.${frac}` : ''}`;
  }
  const kept = (intPart + fracPart.slice(0, digits)).split('').map(Number);
  if ((fracPart.charCodeAt(digits) - 48) >= 5) {
    let i = kept.length - 1;
    for (; i >= 0; i--) {
      if (kept[i]! < 9) {
        kept[i] = kept[i]! + 1;
        break;
      }
      kept[i] = 0;
    }
    if (i < 0) kept.unshift(1);
  }
  const all = kept.join('');
  const intDigits = all.slice(0, all.length - digits).replace(/^0+(?=\d)/, '') || '0';
  const fracDigits = all.slice(all.length - digits);
  const isZero = /^[0]+$/.test(intDigits + fracDigits);
  return `${sign === '-' && !isZero ? '-' : ''}${intDigits}${digits > 0 ? `.${fracDigits}` : ''}`;
}

/** A decimal rounded to a fixed number of decimals for display (e.g. normalized prices: 2). */
export function formatDecimalFixed(value: Decimal | null | undefined, digits: number, locale: string): string {
  return groupDecimalText(roundDecimalText(decimalText(value), digits), locale);
}

/**
 * Normalizes what a user typed for a decimal ("1 234,5" → "1234.5"): spaces dropped, a decimal comma becomes a point.
 * The text is what is sent to the server; it is never parsed into a double.
 */
export function normalizeDecimalInput(input: string): string {
  let text = input.trim().replace(/[\s\u00a0\u202f']/g, '').replace(/^−/, '-');
  if (text.includes(',') && !text.includes('.') && (text.match(/,/g) ?? []).length === 1) text = text.replace(',', '.');
  return text;
}

/** Null when the text is a decimal with at most `maxDecimals` decimals, else which rule it breaks. */
export function checkDecimalInput(
  text: string,
  maxDecimals: number,
  options: { allowNegative?: boolean } = {},
): 'number' | 'decimals' | null {
  const pattern = options.allowNegative ? /^-?\d+(\.\d+)?$/ : /^\d+(\.\d+)?$/;
  if (!pattern.test(text)) return 'number';
  const frac = text.split('.')[1] ?? '';
  return frac.length > maxDecimals ? 'decimals' : null;
}

/** The text in the user's language, else English, Russian, Chinese, else any language there is. */
export function localized(text: LocalizedText | null | undefined, lang: string): string {
  if (!text) return '';
  for (const l of [lang, 'en', 'ru', 'zh']) {
    const v = text[l];
    if (v && v.trim()) return v;
  }
  for (const v of Object.values(text)) if (v && v.trim()) return v;
  return '';
}

/** yyyy-mm-dd of a date-time in the user's time zone (for <input type="date">). */
export function toDateInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The end of a yyyy-mm-dd day in the user's time zone, as ISO 8601 (what "valid until" that day means). */
export function fromDateInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

// ---------- Amounts with their units ----------

/** "12,345.678 t" — the value exactly as sent, grouped for the locale. */
export function formatQuantity(q: QuantityValue | null | undefined, locale: string, t: Translate): string {
  if (!q) return '';
  return `${formatDecimal(q.value, locale)} ${unitLabel(q.unit, t)}`;
}

export function formatAmountUnit(value: Decimal, unit: string, locale: string, t: Translate): string {
  return `${formatDecimal(value, locale)} ${unitLabel(unit, t)}`;
}

/** "245.5 USD/t" — the amount exactly as sent. */
export function formatPrice(p: PriceValue | null | undefined, locale: string, t: Translate): string {
  if (!p) return '';
  return `${formatDecimal(p.amount, locale)} ${p.currency}/${unitLabel(p.unit, t)}`;
}

/** "144,900 USD" — a total or a deal's value, exactly as sent. */
export function formatMoney(m: Money | null | undefined, locale: string): string {
  if (!m) return '';
  return `${formatDecimal(m.amount, locale)} ${m.currency}`;
}

/** A count (results, items) with the locale's grouping. */
export function formatCount(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** A file's size in kB or MB, as the locale writes units ("1.5 MB", "1,5 МБ"). */
export function formatFileSize(bytes: number, locale: string): string {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(mb ? bytes / (1024 * 1024) : Math.max(1, Math.round(bytes / 1024)));
}
