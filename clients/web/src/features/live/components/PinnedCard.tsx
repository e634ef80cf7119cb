import { useMemo, useState, type FormEvent } from 'react';
import type { LiveInterestInput, PinnedListing } from '../../../api';
import { Field } from '../../../components/Field';
import { FormErrors } from '../../../components/FormErrors';
import { StatusBadge } from '../../../components/StatusBadge';
import { countryName } from '../../../countries';
import {
  checkDecimalInput,
  decimalText,
  formatAmountUnit,
  formatPrice,
  fromDateInput,
  localized,
  normalizeDecimalInput,
  toDateInput,
} from '../../../format';
import { useI18n } from '../../../i18n';
import { termLabel, unitLabel } from '../../../labels';
import { Link } from '../../../router';
import { leavesOf, useCategories } from '../../../taxonomy';

/** Specs of the pinned listing with their names and units from the commodity's schema (unknown keys as they are). */
function useSpecRows(listing: PinnedListing): { key: string; label: string; value: string }[] {
  const { lang } = useI18n();
  const { categories } = useCategories();
  return useMemo(() => {
    const schema = (categories ? leavesOf(categories).find((l) => l.leaf.key === listing.categoryKey)?.leaf.specSchema : null) ?? [];
    return Object.entries(listing.specs ?? {}).map(([key, value]) => {
      const field = schema.find((s) => s.key === key);
      return { key, label: localized(field?.label, lang) || key, value: `${decimalText(value)}${field?.unit ? ` ${field.unit}` : ''}` };
    });
  }, [categories, listing, lang]);
}

export type CardActions = {
  /** Signed in and allowed to take part (not muted, session live). */
  canAct: boolean;
  onQuote: () => Promise<string[] | null>;
  onInterest: (input: LiveInterestInput) => Promise<string[] | null>;
};

/** The listing the host pins, as every viewer sees it: specs, price, normalized price, live stock and seller. */
export function PinnedCard({ listing, interests, actions }: { listing: PinnedListing; interests: number; actions: CardActions | null }) {
  const { t, lang, locale } = useI18n();
  const specs = useSpecRows(listing);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState(false);
  const stockUnit = listing.stock.unit ?? listing.quantityUnit;

  async function quote() {
    if (!actions) return;
    setBusy(true);
    setErrors([]);
    const failed = await actions.onQuote();
    if (failed) setErrors(failed);
    setBusy(false);
  }

  return (
    <section className="panel live-pinned" data-testid="pinned-card" data-listing-id={listing.id} aria-live="polite">
      <p className="eyebrow">{t('live.pinned.title')}</p>
      <h2>
        <Link to={`/listings/${encodeURIComponent(listing.id)}`}>{localized(listing.title, lang)}</Link>
      </h2>
      <p className="muted">
        {t('live.pinned.seller')}: <span data-testid="pinned-seller">{listing.seller.name}</span> ({countryName(listing.seller.countryCode, locale)}){' '}
        {listing.seller.verified && <StatusBadge status="verified" />}
      </p>
      <div className="price-block">
        <span className="price-main" data-testid="pinned-price">
          {formatPrice(listing.price, locale, t)}
        </span>{' '}
        <span className="mono">{listing.incoterm}</span> {listing.namedPlace}
        {listing.normalizedPrice && (
          <div className="muted small" data-testid="pinned-normalized">
            ≈ {formatPrice(listing.normalizedPrice.usd, locale, t)} · {formatPrice(listing.normalizedPrice.cny, locale, t)}
          </div>
        )}
      </div>
      <dl className="details">
        <dt>{t('live.pinned.offered')}</dt>
        <dd>
          {formatAmountUnit(listing.quantity, listing.quantityUnit, locale, t)} · {t('live.pinned.minOrder')}{' '}
          {formatAmountUnit(listing.minOrder, listing.minOrderUnit, locale, t)}
        </dd>
        <dt>{t('live.pinned.stock')}</dt>
        <dd data-testid="pinned-stock">
          {formatAmountUnit(listing.stock.available, stockUnit, locale, t)}{' '}
          <span className="muted small">
            ({t('stock.onHand')} {formatAmountUnit(listing.stock.onHand, stockUnit, locale, t)}, {t('stock.reserved')}{' '}
            {formatAmountUnit(listing.stock.reserved, stockUnit, locale, t)})
          </span>
        </dd>
        <dt>{t('live.pinned.origin')}</dt>
        <dd>{countryName(listing.originCountry, locale)}</dd>
        <dt>{t('live.pinned.payment')}</dt>
        <dd>{listing.paymentTerms.map((p) => termLabel(p, t)).join(', ')}</dd>
        {interests > 0 && (
          <>
            <dt>{t('live.pinned.interests')}</dt>
            <dd data-testid="pinned-interests">{interests}</dd>
          </>
        )}
      </dl>
      {specs.length > 0 && (
        <table className="table specs-table" data-testid="pinned-specs">
          <tbody>
            {specs.map((s) => (
              <tr key={s.key} data-testid="pinned-spec" data-spec-key={s.key}>
                <th scope="row">{s.label}</th>
                <td className="strong">{s.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {actions?.canAct && (
        <div className="toolbar-group">
          <button type="button" className="button button-primary" data-testid="request-quote" disabled={busy} onClick={() => void quote()}>
            {t('live.quote')}
          </button>
          <button type="button" className="button" data-testid="express-interest" aria-expanded={form} onClick={() => setForm((f) => !f)}>
            {t('live.interest')}
          </button>
        </div>
      )}
      <FormErrors messages={errors} />
      {form && actions && <InterestForm listing={listing} onSubmit={actions.onInterest} onDone={() => setForm(false)} />}
    </section>
  );
}

function InterestForm({
  listing,
  onSubmit,
  onDone,
}: {
  listing: PinnedListing;
  onSubmit: (input: LiveInterestInput) => Promise<string[] | null>;
  onDone: () => void;
}) {
  const { t } = useI18n();
  const [quantity, setQuantity] = useState('');
  const [price, setPrice] = useState('');
  const [until, setUntil] = useState(() => toDateInput(new Date(Date.now() + 7 * 86_400_000).toISOString()));
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const unit = listing.quantityUnit;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const q = normalizeDecimalInput(quantity);
    const p = normalizeDecimalInput(price);
    const validUntil = fromDateInput(until);
    const problems: string[] = [];
    if (checkDecimalInput(q, 3)) problems.push(`${t('live.interest.quantity')}: ${t('live.interest.number')}`);
    if (p && checkDecimalInput(p, 4)) problems.push(`${t('live.interest.priceHint')}: ${t('live.interest.number')}`);
    if (!validUntil) problems.push(`${t('live.interest.validUntil')}: ${t('live.interest.date')}`);
    setErrors(problems);
    if (problems.length) return;
    setBusy(true);
    const failed = await onSubmit({
      quantity: { value: q, unit },
      priceHint: p ? { amount: p, currency: listing.price.currency, unit: listing.price.unit } : null,
      validUntil: validUntil!,
    });
    setBusy(false);
    if (failed) {
      setErrors(failed);
      return;
    }
    setSent(true);
    window.setTimeout(onDone, 1500);
  }

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="interest-form">
      <FormErrors messages={errors} />
      {sent && (
        <p className="notice notice-success" role="status" data-testid="interest-sent">
          {t('live.interest.sent')}
        </p>
      )}
      <div className="field-row">
        <Field
          id="interest-quantity"
          label={`${t('live.interest.quantity')} (${unitLabel(unit, t)})`}
          data-testid="interest-quantity"
          inputMode="decimal"
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
        />
        <Field
          id="interest-price"
          label={`${t('live.interest.priceHint')} (${listing.price.currency}/${unitLabel(listing.price.unit, t)})`}
          hint={t('live.interest.priceHintHint')}
          data-testid="interest-price"
          inputMode="decimal"
          value={price}
          onChange={(e) => setPrice(e.target.value)}
        />
        <Field
          id="interest-until"
          label={t('live.interest.validUntil')}
          data-testid="interest-until"
          type="date"
          value={until}
          onChange={(e) => setUntil(e.target.value)}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="interest-submit" disabled={busy}>
          {t('live.interest.submit')}
        </button>
      </div>
    </form>
  );
}
