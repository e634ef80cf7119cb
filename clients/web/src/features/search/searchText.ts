// Pure parts of the search page: what a result shows in the viewer's language, and where a dead end leads.
import type { LocalizedText, NoResultsHelp, SavedSearchQuery } from '../../api';

const languages = ['en', 'ru', 'zh'] as const;

/**
 * The headline in the viewer's language, and the seller's own title beside it when the seller did not write one in
 * that language (so a Chinese buyer reads 小麦… and still sees the Russian title the seller chose).
 */
export function titleLines(headline: LocalizedText | undefined, title: LocalizedText, lang: string): { main: string; own: string | null } {
  const inLanguage = (text: LocalizedText | undefined, l: string) => (text?.[l] ?? '').trim();
  const own = inLanguage(title, lang);
  const built = inLanguage(headline, lang);
  if (own) return { main: own, own: null };
  const other = languages.map((l) => inLanguage(title, l)).find((t) => t) ?? Object.values(title).find((t) => t?.trim()) ?? '';
  return built ? { main: built, own: other || null } : { main: other, own: null };
}

/** The search's address without the filters a dead end suggests dropping (the text stays). */
export function withoutFilters(params: URLSearchParams, filters: readonly string[]): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const f of filters) next.delete(f);
  next.delete('cursor');
  return next;
}

/** The new-buy-request address, prefilled from what the search was looking for (and its quantity and price filters). */
export function buyRequestLink(help: NoResultsHelp, search?: URLSearchParams): string {
  const p = new URLSearchParams();
  const draft = help.buyRequest;
  if (draft.categoryKey) p.set('category', draft.categoryKey);
  for (const o of draft.originCountries) p.append('origin', o);
  if (draft.incoterm) p.set('incoterm', draft.incoterm);
  if (draft.note) p.set('note', draft.note);
  const quantity = search?.get('minQuantity');
  if (quantity) p.set('quantity', quantity);
  const price = search?.get('maxPrice');
  if (price) {
    p.set('price', price);
    p.set('currency', search?.get('priceCurrency') || 'USD');
  }
  const query = p.toString();
  return `/buy-requests/new${query ? `?${query}` : ''}`;
}

const listParams = ['category', 'origin', 'incoterm', 'warehouseCountry', 'certificate'];
const textParams = ['q', 'hsCode', 'minPrice', 'maxPrice', 'priceCurrency', 'minQuantity'];
const flagParams = ['verifiedOnly', 'inStock'];

/** The query of a saved search, from the search page's address (sort, paging and language are not part of it). */
export function savedQueryOf(params: URLSearchParams): SavedSearchQuery {
  const query: SavedSearchQuery = {};
  for (const name of listParams) if (params.getAll(name).length > 0) query[name] = params.getAll(name);
  for (const name of textParams) if (params.get(name)) query[name] = params.get(name);
  for (const name of flagParams) if (params.get(name) === 'true') query[name] = true;
  return query;
}

/** The search page's address of a saved search. */
export function searchLinkOf(query: SavedSearchQuery): string {
  const p = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === false) continue;
    for (const v of Array.isArray(value) ? value : [String(value)]) p.append(name, v);
  }
  return `/search?${p.toString()}`;
}
