import { useEffect, useRef, useState } from 'react';
import { api, searchFacetNames as facetNames, type FacetValue, type SearchFacetName, type SearchResult } from '../../api';
import { useAuth } from '../../auth';
import { useOrganizationSelection } from '../../hooks/organizationSelection';
import { buyRequestLink, titleLines, withoutFilters } from './searchText';
import { SavedSearches } from './SavedSearches';
import { FormErrors } from '../../components/FormErrors';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { formatCount, formatDecimalFixed, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { Link, navigate, useLocation } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';

type FacetName = SearchFacetName;
const sorts = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;
const sortKeys: Record<(typeof sorts)[number], MessageKey> = {
  relevance: 'search.sort.relevance',
  price_asc: 'search.sort.priceAsc',
  price_desc: 'search.sort.priceDesc',
  newest: 'search.sort.newest',
};
const currencies = ['USD', 'CNY', 'RUB', 'KZT', 'UZS', 'EUR'];

/** The search page: its state lives in the URL query string, so a search can be shared and reloaded. */
export function SearchPage() {
  const { t, lang, locale } = useI18n();
  const { query } = useLocation();
  const [text, setText] = useState(query.get('q') ?? '');
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [result, setResult] = useState<SearchResult | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [loading, setLoading] = useState(false);
  const sentinel = useRef<HTMLDivElement | null>(null);
  const { me } = useAuth();
  const selection = useOrganizationSelection();
  usePageTitle(t('search.title'));

  const queryString = query.toString();

  /** Writes one change into the URL; the effect below runs the search. */
  function update(change: (p: URLSearchParams) => void) {
    const next = new URLSearchParams(queryString);
    change(next);
    next.delete('cursor');
    navigate(`/search${next.toString() ? `?${next.toString()}` : ''}`, { replace: true });
  }

  async function run(params: URLSearchParams, append: boolean, signal?: AbortSignal) {
    setLoading(true);
    setErrors([]);
    params.set('lang', lang);
    try {
      const page = await api.searchListings(params, signal);
      setResult((previous) =>
        append && previous ? { ...previous, items: [...previous.items, ...page.items], nextCursor: page.nextCursor } : page,
      );
    } catch (e) {
      if (!(e instanceof DOMException && e.name === 'AbortError')) setErrors(errorMessages(e, t));
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    const controller = new AbortController();
    void run(new URLSearchParams(queryString), false, controller.signal);
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryString, lang]);

  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(async () => {
      if (text.trim().length < 2) return setSuggestions([]);
      try {
        setSuggestions(await api.suggest(text, controller.signal));
      } catch {
        setSuggestions([]);
      }
    }, 200);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text]);

  function loadMore() {
    if (!result?.nextCursor || loading) return;
    const params = new URLSearchParams(queryString);
    params.set('cursor', result.nextCursor);
    void run(params, true);
  }

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !result?.nextCursor) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore());
    observer.observe(node);
    return () => observer.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [result?.nextCursor, loading]);

  const selected = (facet: FacetName) => query.getAll(facet);
  const toggle = (facet: FacetName, key: string) =>
    update((p) => {
      const values = p.getAll(facet);
      p.delete(facet);
      for (const v of values.includes(key) ? values.filter((v) => v !== key) : [...values, key]) p.append(facet, v);
    });
  const setParam = (name: string, value: string) => update((p) => (value ? p.set(name, value) : p.delete(name)));

  const facetLabel = (facet: FacetName, value: FacetValue) =>
    facet === 'origin' || facet === 'warehouseCountry' ? countryName(value.key, locale) : value.label;

  return (
    <div className="search-page">
      <h1>{t('search.title')}</h1>
      <form
        className="search-bar"
        onSubmit={(e) => {
          e.preventDefault();
          setParam('q', text.trim());
        }}
      >
        <input
          type="search"
          data-testid="search-input"
          list="search-suggestions"
          value={text}
          placeholder={t('search.placeholder')}
          onChange={(e) => setText(e.target.value)}
          aria-label={t('search.title')}
        />
        <datalist id="search-suggestions">
          {suggestions.map((s) => (
            <option key={s} value={s} data-testid="search-suggestion" />
          ))}
        </datalist>
        <button type="submit" className="button button-primary" data-testid="search-submit">
          {t('search.submit')}
        </button>
        <select data-testid="search-sort" aria-label={t('search.sort')} value={query.get('sort') ?? 'relevance'} onChange={(e) => setParam('sort', e.target.value === 'relevance' ? '' : e.target.value)}>
          {sorts.map((s) => (
            <option key={s} value={s}>
              {t(sortKeys[s])}
            </option>
          ))}
        </select>
      </form>
      <FormErrors messages={errors} />
      <div className="search-layout">
        <aside className="search-facets">
          <label className="checkbox">
            <input type="checkbox" data-testid="search-verified" checked={query.get('verifiedOnly') === 'true'} onChange={(e) => setParam('verifiedOnly', e.target.checked ? 'true' : '')} />
            {t('search.verifiedOnly')}
          </label>
          <label className="checkbox">
            <input type="checkbox" data-testid="search-in-stock" checked={query.get('inStock') === 'true'} onChange={(e) => setParam('inStock', e.target.checked ? 'true' : '')} />
            {t('search.inStockNow')}
          </label>
          <div className="field-row">
            <input data-testid="search-min-price" inputMode="decimal" placeholder={t('search.minPrice')} defaultValue={query.get('minPrice') ?? ''} onBlur={(e) => setParam('minPrice', e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && setParam('minPrice', e.currentTarget.value.trim())} />
            <input data-testid="search-max-price" inputMode="decimal" placeholder={t('search.maxPrice')} defaultValue={query.get('maxPrice') ?? ''} onBlur={(e) => setParam('maxPrice', e.target.value.trim())} onKeyDown={(e) => e.key === 'Enter' && setParam('maxPrice', e.currentTarget.value.trim())} />
            <select data-testid="search-currency" aria-label={t('search.currency')} value={query.get('priceCurrency') ?? 'USD'} onChange={(e) => setParam('priceCurrency', e.target.value === 'USD' ? '' : e.target.value)}>
              {currencies.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </div>
          {facetNames.map((facet) => {
            const values = result?.facets[facet] ?? [];
            if (values.length === 0 && selected(facet).length === 0) return null;
            return (
              <fieldset key={facet} className="facet" data-testid={`facet-${facet}`}>
                <legend>{t(`search.facet.${facet}` as MessageKey)}</legend>
                {values.map((v) => (
                  <label key={v.key} className="checkbox" data-testid="facet-option" data-facet={facet} data-key={v.key}>
                    <input type="checkbox" checked={selected(facet).includes(v.key)} onChange={() => toggle(facet, v.key)} />
                    {facetLabel(facet, v)} <span className="muted">({v.count})</span>
                  </label>
                ))}
              </fieldset>
            );
          })}
        </aside>
        <section className="search-results">
          {result && (
            <p data-testid="search-total" data-total={result.total} className="muted">
              {t(result.totalIsLowerBound ? 'search.totalMore' : 'search.total', { n: formatCount(result.total, locale) })}
            </p>
          )}
          {result && result.items.length === 0 && !loading && (
            <div className="panel" data-testid="search-empty">
              <p className="muted">{t('search.empty')}</p>
              {result.noResults?.suggestion && (
                <p>
                  {t('search.didYouMean')}{' '}
                  <button type="button" className="link-button" data-testid="search-did-you-mean" onClick={() => { setText(result.noResults!.suggestion!); setParam('q', result.noResults!.suggestion!); }}>
                    {result.noResults.suggestion}
                  </button>
                </p>
              )}
              {result.noResults && result.noResults.dropFilters.length > 0 && (
                <p>
                  <button type="button" className="button" data-testid="search-drop-filters" onClick={() => {
                    const next = withoutFilters(new URLSearchParams(queryString), result.noResults!.dropFilters);
                    navigate(`/search${next.toString() ? `?${next.toString()}` : ''}`, { replace: true });
                  }}>
                    {t('search.dropFilters')}
                  </button>
                </p>
              )}
              {result.noResults && (
                <p>
                  <Link to={buyRequestLink(result.noResults, query)} data-testid="search-post-buy-request">{t('search.postBuyRequest')}</Link>
                </p>
              )}
            </div>
          )}
          {me && selection.selectedId && query.get('q') && (
            <SavedSearches organizationId={selection.selectedId} params={new URLSearchParams(queryString)} />
          )}
          {result?.items.map((item, i) => {
            const lines = titleLines(item.headline, item.title, lang);
            const firstPartial = item.partial && (i === 0 || !result.items[i - 1]!.partial);
            return (
            <article key={item.id} className={`panel search-result${item.partial ? ' search-result-partial' : ''}`} data-testid="search-result" data-listing-id={item.id} data-partial={item.partial}>
              {firstPartial && <p className="muted" data-testid="search-partial-heading">{t('search.partialHeading')}</p>}
              <h2>
                <Link to={`/listings/${encodeURIComponent(item.id)}`} data-testid="search-headline">{lines.main || localized(item.title, lang)}</Link>
                {item.partial && <span className="badge" data-testid="search-partial"> {t('search.partial')}</span>}
              </h2>
              {lines.own && (
                <p className="muted" data-testid="search-own-title">
                  {t('search.sellerTitle')}: {lines.own}
                </p>
              )}
              {item.snippet && (
                // The server HTML-escapes the text and adds only <mark> around the words that matched.
                <p className="snippet" data-testid="search-snippet" dangerouslySetInnerHTML={{ __html: item.snippet }} />
              )}
              <p>
                <strong>{formatPrice(item.price, locale, t)}</strong>
                {item.normalizedPrice && (
                  <span className="muted">
                    {' '}
                    ≈ {formatDecimalFixed(item.normalizedPrice.usd.amount, 2, locale)} USD · {formatDecimalFixed(item.normalizedPrice.cny.amount, 2, locale)} CNY / {item.normalizedPrice.usd.unit}
                  </span>
                )}
              </p>
              <p className="muted">
                <span data-testid="search-offered">{t('search.offered', { q: formatQuantity(item.quantity, locale, t) })}</span> ·{' '}
                <span data-testid="search-available">{t('search.available', { q: formatQuantity(item.available, locale, t) })}</span>
                {Number(item.reserved.value) > 0 && <> · {t('search.reserved', { q: formatQuantity(item.reserved, locale, t) })}</>} · {item.incoterm} {item.namedPlace} ·{' '}
                {countryName(item.originCountry, locale)} · {t('search.seller')}: <Link to={`/companies/${encodeURIComponent(item.seller.id)}`} data-testid="search-seller-link">{item.seller.name}</Link>
                {item.seller.verified && <span className="badge badge-success"> {t('search.verified')}</span>}
              </p>
            </article>
            );
          })}
          <div ref={sentinel} />
          {result?.nextCursor && (
            <button type="button" className="button" data-testid="search-load-more" onClick={loadMore} disabled={loading}>
              {t('search.loadMore')}
            </button>
          )}
        </section>
      </div>
    </div>
  );
}
