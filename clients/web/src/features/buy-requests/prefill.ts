// A buy request started from a search that found nothing: the form opens with what the search was looking for.
import { incoterms, type Category } from '../../api';
import { leavesOf } from '../../taxonomy';

export type BuyRequestPrefill = {
  /** A commodity (taxonomy key); a group such as "grains" is not something to buy and is left out. */
  categoryKey: string | null;
  originCountry: string | null;
  incoterm: string | null;
  note: string;
  quantity: string;
  price: string;
  currency: string | null;
};

const decimal = /^\d+(\.\d+)?$/;
const country = /^[A-Z]{2}$/;
const currencyCode = /^[A-Z]{3}$/;

/** The new-buy-request address's parameters, read strictly: anything malformed is left for the buyer to fill. */
export function prefillOf(params: URLSearchParams): BuyRequestPrefill {
  const text = (name: string) => (params.get(name) ?? '').trim();
  const matching = (name: string, pattern: RegExp) => (pattern.test(text(name)) ? text(name) : '');
  const incoterm = text('incoterm').toUpperCase();
  const origin = params.getAll('origin').map((o) => o.trim().toUpperCase()).find((o) => country.test(o));
  return {
    categoryKey: text('category') || null,
    originCountry: origin ?? null,
    incoterm: (incoterms as readonly string[]).includes(incoterm) ? incoterm : null,
    note: (text('note') || text('q')).slice(0, 2000),
    quantity: matching('quantity', decimal),
    price: matching('price', decimal),
    currency: matching('currency', currencyCode) || null,
  };
}

/** The id of the commodity a prefill names, once the taxonomy is loaded; undefined when it names none (or a group). */
export function prefillCategoryId(categories: readonly Category[], key: string | null): string | undefined {
  if (!key) return undefined;
  return leavesOf(categories).find(({ leaf }) => leaf.key === key)?.leaf.id;
}
