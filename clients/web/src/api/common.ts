// Shapes every feature's answers share: pages of a list, decimals as sent, texts by language.

export type Page<T> = { items: T[]; nextCursor?: string | null };

/**
 * A decimal from the API (money, quantities, rates): a JSON number, or its exact source text when the double
 * would not print back the same (see keepDecimalText). Display it with format.ts, never through Number().
 */
export type Decimal = number | string;

/** Text by language code (en, ru, zh; the taxonomy also has kk, uz). */
export type LocalizedText = Partial<Record<string, string | null>>;

export type QuantityValue = { value: Decimal; unit: string };
export type PriceValue = { amount: Decimal; currency: string; unit: string };

export type Money = { amount: Decimal; currency: string };

/** Escapes one path segment of an API URL. */
export const enc = encodeURIComponent;
