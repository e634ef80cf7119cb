import { useEffect, useState, type FormEvent } from 'react';
import { api, currencies, incoterms, type BuyRequest, type BuyRequestMatch as Match, type Category, type Decimal, type ListingMatch } from '../../api';
import { useAuth } from '../../auth';
import { invalidProps } from '../../components/FieldError';
import { FormErrors } from '../../components/FormErrors';
import { NoOrganization, OrganizationPicker } from '../../components/OrganizationPicker';
import { errorMessages, fieldMessages } from '../../errors';
import { formatDate, formatPrice, formatQuantity, fromDateInput, localized, normalizeDecimalInput, toDateInput } from '../../format';
import { useI18n } from '../../i18n';
import { unitsFor } from '../../labels';
import { canTrade, useOrganizationSelection } from '../../hooks/organizationSelection';
import { Link, navigate, useLocation } from '../../router';
import { findCategory, leavesOf, useCategories } from '../../taxonomy';
import { usePageTitle } from '../../hooks/usePageTitle';
import { NegotiateButton } from '../negotiations';
import { AmountField } from '../../components/AmountField';
import { Field } from '../../components/Field';
import { CodeSelect } from '../../components/CodeSelect';
import { CountrySelect } from '../../components/CountrySelect';
import { prefillCategoryId, prefillOf } from './prefill';
import { useTextContext } from '../../hooks/useTextContext';
import { renderReason } from '../../serverText';
import { onNotification } from '../notifications/live';

/** The organization's buy requests (RFQ). */
export function BuyRequestsPage() {
  const { t, lang, locale } = useI18n();
  const selection = useOrganizationSelection();
  const [items, setItems] = useState<BuyRequest[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  usePageTitle(t('rfq.title'));

  useEffect(() => {
    if (!selection.selectedId) return;
    const controller = new AbortController();
    api.buyRequests(selection.selectedId, 100, controller.signal)
      .then((page) => setItems(page.items))
      .catch((e: unknown) => !(e instanceof DOMException) && setErrors(errorMessages(e, t)));
    return () => controller.abort();
  }, [selection.selectedId, t]);

  if (selection.organizations.length === 0) return <NoOrganization />;
  return (
    <div>
      <h1>{t('rfq.title')}</h1>
      <OrganizationPicker selection={selection} />
      <p>
        <Link to="/buy-requests/new" className="button button-primary" data-testid="rfq-new">
          {t('rfq.new')}
        </Link>
      </p>
      <FormErrors messages={errors} />
      <table className="table">
        <tbody>
          {items.map((r) => (
            <tr key={r.id} data-testid="rfq-row" data-rfq-id={r.id}>
              <td>
                <Link to={`/buy-requests/${encodeURIComponent(r.id)}`}>{localized(r.category.name, lang)}</Link>
              </td>
              <td>{formatQuantity(r.quantity, locale, t)}</td>
              <td>{formatPrice(r.targetPrice, locale, t)}</td>
              <td>
                {r.incoterm} {r.namedPlace}
              </td>
              <td>{formatDate(r.deliveryBy, locale)}</td>
              <td>{t(r.status === 'open' ? 'rfq.open' : 'rfq.closed')}</td>
              <td>{t('rfq.matchCount', { n: r.matchCount })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Range = { min: string; max: string };

/**
 * A new buy request: the spec ranges come from the chosen commodity's schema. Opened from a search that found nothing
 * (`?category=&origin=&incoterm=&note=&quantity=&price=&currency=`), it starts with what the search was looking for.
 */
export function BuyRequestFormPage() {
  const { t, lang, locale } = useI18n();
  const { me } = useAuth();
  const selection = useOrganizationSelection();
  const { categories } = useCategories();
  const { query } = useLocation();
  const [prefill] = useState(() => prefillOf(query));
  const [chosenCategoryId, setCategoryId] = useState<string | null>(null);
  const [ranges, setRanges] = useState<Record<string, Range>>({});
  const [quantity, setQuantity] = useState(prefill.quantity);
  const [quantityUnit, setQuantityUnit] = useState('t');
  const [price, setPrice] = useState(prefill.price);
  const [currency, setCurrency] = useState(prefill.currency ?? 'USD');
  const [priceUnit, setPriceUnit] = useState('t');
  const [incoterm, setIncoterm] = useState(prefill.incoterm ?? 'DAP');
  const [place, setPlace] = useState('');
  const [origin, setOrigin] = useState(prefill.originCountry ?? '');
  const [deliverBy, setDeliverBy] = useState(toDateInput(new Date(Date.now() + 60 * 86_400_000).toISOString()));
  const [note, setNote] = useState(prefill.note);
  // The failed save is kept, not its wording, so switching the language re-words the errors.
  const [failure, setFailure] = useState<unknown>(null);
  const fieldErrors = failure ? fieldMessages(failure, t, locale) : {};
  const messages = failure ? errorMessages(failure, t, {}, locale) : [];
  const [busy, setBusy] = useState(false);
  usePageTitle(t('rfq.new'));

  // Until the buyer picks one, the commodity is the prefilled one (named by key; known once the taxonomy is loaded).
  const categoryId = chosenCategoryId ?? (categories ? (prefillCategoryId(categories, prefill.categoryKey) ?? '') : '');

  const category: Category | undefined = categories ? findCategory(categories, categoryId) : undefined;
  const units = unitsFor(category?.unit);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    const specRanges: Record<string, { min?: Decimal; max?: Decimal }> = {};
    for (const [key, r] of Object.entries(ranges)) {
      if (r.min || r.max) specRanges[key] = { ...(r.min ? { min: normalizeDecimalInput(r.min) } : {}), ...(r.max ? { max: normalizeDecimalInput(r.max) } : {}) };
    }
    try {
      const created = await api.createBuyRequest({
          organizationId: selection.selectedId,
          categoryId: categoryId || null,
          specRanges,
          quantity: { value: normalizeDecimalInput(quantity) || null, unit: quantityUnit },
          targetPrice: { amount: normalizeDecimalInput(price) || null, currency, unit: priceUnit },
          incoterm,
          namedPlace: place,
          deliveryBy: fromDateInput(deliverBy),
          originCountries: origin ? [origin] : [],
          note: note || null,
      });
      navigate(`/buy-requests/${encodeURIComponent(created.id)}`);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  if (selection.organizations.length === 0) return <NoOrganization />;
  return (
    <form className="form" onSubmit={submit} noValidate>
      <h1>{t('rfq.new')}</h1>
      <OrganizationPicker selection={selection} />
      {!canTrade(me, selection.selectedId) && <p className="notice notice-info">{t('editor.readOnly')}</p>}
      <FormErrors messages={messages} />
      <Field id="rfq-category" label={t('editor.category')} path="categoryId" errors={fieldErrors}>
        <select id="rfq-category" data-testid="rfq-category" value={categoryId} onChange={(e) => { setCategoryId(e.target.value); setRanges({}); }}>
          <option value="">—</option>
          {categories && leavesOf(categories).map(({ leaf }) => (
            <option key={leaf.id} value={leaf.id} data-key={leaf.key}>
              {localized(leaf.name, lang)} (HS {leaf.hsCode})
            </option>
          ))}
        </select>
      </Field>
      {category?.specSchema?.filter((s) => s.type === 'number').map((s) => (
        <Field
          key={s.key}
          id={`rfq-spec-${s.key}-min`}
          label={
            <>
              {localized(s.label, lang)} ({s.unit}) <span className="muted">{s.min}–{s.max}</span>
            </>
          }
          path={`specRanges.${s.key}`}
          errors={fieldErrors}
        >
          <div className="field-row">
            <input id={`rfq-spec-${s.key}-min`} data-testid={`rfq-spec-${s.key}-min`} inputMode="decimal" placeholder="min" value={ranges[s.key]?.min ?? ''} onChange={(e) => setRanges({ ...ranges, [s.key]: { min: e.target.value, max: ranges[s.key]?.max ?? '' } })} />
            <input data-testid={`rfq-spec-${s.key}-max`} inputMode="decimal" placeholder="max" value={ranges[s.key]?.max ?? ''} onChange={(e) => setRanges({ ...ranges, [s.key]: { min: ranges[s.key]?.min ?? '', max: e.target.value } })} />
          </div>
        </Field>
      ))}
      <div className="field-row">
        <AmountField
          id="rfq-quantity"
          label={t('rfq.quantity')}
          value={quantity}
          onValue={setQuantity}
          unit={quantityUnit}
          onUnit={setQuantityUnit}
          units={units}
          unitText={t('editor.unit')}
          valuePath="quantity.value"
          unitPath="quantity.unit"
          errors={fieldErrors}
        />
        <Field id="rfq-price" label={t('rfq.targetPrice')} path={['targetPrice.amount', 'targetPrice.currency', 'targetPrice.unit']} errors={fieldErrors}>
          <div className="input-group">
          <input id="rfq-price" data-testid="rfq-price" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} {...invalidProps('targetPrice.amount', fieldErrors)} />
          <CodeSelect data-testid="rfq-currency" aria-label={t('search.currency')} value={currency} codes={currencies} onChange={setCurrency} />
          <CodeSelect data-testid="rfq-price-unit" aria-label={t('editor.unit')} value={priceUnit} codes={units} onChange={setPriceUnit} />
          </div>
        </Field>
      </div>
      <div className="field-row">
        <Field id="rfq-incoterm" label="Incoterms 2020">
          <CodeSelect id="rfq-incoterm" data-testid="rfq-incoterm" value={incoterm} codes={incoterms} onChange={setIncoterm} />
        </Field>
        <Field
          id="rfq-place"
          label={t('rfq.place')}
          path="namedPlace"
          errors={fieldErrors}
          data-testid="rfq-place"
          value={place}
          onChange={(e) => setPlace(e.target.value)}
        />
        <Field
          id="rfq-deliver-by"
          label={t('rfq.deliverBy')}
          path="deliveryBy"
          errors={fieldErrors}
          type="date"
          data-testid="rfq-deliver-by"
          value={deliverBy}
          onChange={(e) => setDeliverBy(e.target.value)}
        />
      </div>
      <Field id="rfq-origin" label={t('rfq.origin')} path="originCountries" errors={fieldErrors}>
        <CountrySelect id="rfq-origin" data-testid="rfq-origin" value={origin} onChange={(e) => setOrigin(e.target.value)} />
      </Field>
      <Field id="rfq-note" label={t('rfq.note')} path="note" errors={fieldErrors}>
        <textarea id="rfq-note" data-testid="rfq-note" value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      <button type="submit" className="button button-primary" data-testid="rfq-save" disabled={busy}>
        {t('rfq.save')}
      </button>
    </form>
  );
}

/** One buy request and the listings that match it, best first, with the reasons. */
export function BuyRequestPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const [buyRequest, setBuyRequest] = useState<BuyRequest | null>(null);
  const [matches, setMatches] = useState<Match[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  usePageTitle(t('rfq.title'));

  async function load() {
    try {
      setBuyRequest(await api.buyRequest(id));
      setMatches(await api.buyRequestMatches(id));
    } catch (e) {
      setErrors(errorMessages(e, t));
    }
  }

  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  // Matching runs after the request is saved: its notification tells this page to read the matches again.
  useEffect(
    () =>
      onNotification((n) => {
        if (n.link === `/buy-requests/${id}`) {
          api.buyRequestMatches(id).then(setMatches).catch(() => undefined);
        }
      }),
    [id],
  );
  const text = useTextContext(buyRequest?.category.key);

  async function close() {
    try {
      setBuyRequest(await api.closeBuyRequest(id));
    } catch (e) {
      setErrors(errorMessages(e, t));
    }
  }

  return (
    <div>
      <FormErrors messages={errors} />
      {buyRequest && (
        <section className="panel">
          <h1 data-testid="rfq-title">
            {localized(buyRequest.category.name, lang)} · {formatQuantity(buyRequest.quantity, locale, t)}
          </h1>
          <p>
            {t('rfq.targetPrice')}: {formatPrice(buyRequest.targetPrice, locale, t)} · {buyRequest.incoterm} {buyRequest.namedPlace} · {t('rfq.deliverBy')}{' '}
            {formatDate(buyRequest.deliveryBy, locale)} · {t(buyRequest.status === 'open' ? 'rfq.open' : 'rfq.closed')}
          </p>
          {buyRequest.status === 'open' && (
            <button type="button" className="button" data-testid="rfq-close" onClick={() => void close()}>
              {t('rfq.close')}
            </button>
          )}
        </section>
      )}
      <h2>{t('rfq.matches')}</h2>
      {matches.length === 0 && <p className="muted">{t('rfq.noMatches')}</p>}
      {matches.map((m) => (
        <article key={m.listing.id} className="panel" data-testid="match-row" data-listing-id={m.listing.id}>
          <h3>
            <Link to={`/listings/${encodeURIComponent(m.listing.id)}`}>{localized(m.listing.title, lang)}</Link>{' '}
            <span className="badge" data-testid="match-score">
              {m.score}/100
            </span>
          </h3>
          <p className="muted">
            {formatPrice(m.listing.price, locale, t)} · {m.listing.incoterm} {m.listing.namedPlace} ·{' '}
            <Link to={`/companies/${encodeURIComponent(m.listing.seller.id)}`}>{m.listing.seller.name}</Link>
          </p>
          <ul>
            {m.reasons.map((r) => (
              <li key={r.code + r.text} data-testid="match-reason" data-code={r.code}>
                {renderReason(r, text)}
              </li>
            ))}
          </ul>
          {buyRequest?.status === 'open' && (
            <NegotiateButton listingId={m.listing.id} sellerId={m.listing.seller.id} buyRequestId={id} buyerOrganizationId={buyRequest.organizationId} />
          )}
        </article>
      ))}
    </div>
  );
}

/** For the seller's members: buy requests that match this listing. Others get a 404 and see nothing. */
export function ListingMatchesPanel({ listingId }: { listingId: string }) {
  const { t, locale } = useI18n();
  const [matches, setMatches] = useState<ListingMatch[] | null>(null);

  const [version, setVersion] = useState(0);
  const text = useTextContext(matches?.[0]?.buyRequest.category?.key);

  useEffect(() => {
    const controller = new AbortController();
    api.listingMatches(listingId, controller.signal)
      .then(setMatches)
      .catch(() => setMatches(null));
    return () => controller.abort();
  }, [listingId, version]);

  // New matches are found as the listing is indexed: their notification refreshes the panel.
  useEffect(() => onNotification((n) => n.link === `/listings/${listingId}` && setVersion((v) => v + 1)), [listingId]);

  if (matches === null) return null;
  return (
    <section className="panel" data-testid="listing-matches">
      <h2>{t('rfq.sellerMatches')}</h2>
      {matches.length === 0 && <p className="muted">{t('rfq.noSellerMatches')}</p>}
      {matches.map((m) => (
        <div key={m.buyRequest.id} data-testid="listing-match-row" className="match-row">
          <Link to={`/companies/${encodeURIComponent(m.buyRequest.buyer.id)}`} className="strong">
            {m.buyRequest.buyer.name}
          </Link>{' '}
          · {formatQuantity(m.buyRequest.quantity, locale, t)} · {formatPrice(m.buyRequest.targetPrice, locale, t)} ·{' '}
          {m.buyRequest.incoterm} {m.buyRequest.namedPlace} · {t('rfq.deliverBy')} {formatDate(m.buyRequest.deliveryBy, locale)}{' '}
          <span className="badge">{m.score}/100</span>
          <div className="muted">{m.reasons.map((r) => renderReason(r, text)).join(' · ')}</div>
        </div>
      ))}
    </section>
  );
}
