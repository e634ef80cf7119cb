import { useRef, useState, type FormEvent } from 'react';
import {
  currencies,
  deliveryModes,
  incoterms,
  paymentTermCodes,
  type Listing,
  type Offer,
  type OfferTermsInput,
  type Room,
  type TermSheet,
  type WarehouseRef,
} from '../../../api';
import { Field } from '../../../components/Field';
import { FieldError } from '../../../components/FieldError';
import { FormErrors } from '../../../components/FormErrors';
import { decimalText, formatPrice, formatQuantity, normalizeDecimalInput, toDateInput } from '../../../format';
import { useI18n } from '../../../i18n';
import { modeLabel, normalizeMode, termLabel, unitsFor } from '../../../labels';
import { failureMessages, hubFailure, invalidFields } from '../hubErrors';
import { termLabels, type Names } from '../terms';

const defaultValidHours = 48;
/** Offers stay open between 5 minutes and 30 days; in whole hours, 1 to 720. */
const maxValidHours = 720;

/** A term sheet, prefilled from the offer it answers, the last offer, or the listing. */
export function OfferComposer({
  room,
  listing,
  base,
  counterTo,
  warehouses,
  names,
  onSubmit,
  onCancel,
}: {
  room: Room;
  listing: Listing | null;
  base: TermSheet | null;
  counterTo: Offer | null;
  warehouses: readonly WarehouseRef[];
  names: Names;
  /** Sends the offer; answers null when stored, else the failure. */
  onSubmit: (clientMessageId: string, terms: OfferTermsInput) => Promise<unknown>;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const [fields, setFields] = useState(() => initialFields(base, listing));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  // Resending unchanged terms after a failure reuses the id: the offer cannot be stored twice.
  const pending = useRef<{ id: string; terms: string } | null>(null);
  const units = unitsFor(room.listing.unit ?? listing?.category.unit);
  const labels = termLabels(t);
  type Key = keyof typeof fields;
  const set = (key: Key) => (e: { target: { value: string } }) => setFields((current) => ({ ...current, [key]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const hours = Number(fields.validHours);
    if (!/^\d+$/.test(fields.validHours.trim()) || hours < 1 || hours > maxValidHours) {
      const message = t('negotiation.error.validHours', { max: maxValidHours });
      setFieldErrors({ validUntil: [message] });
      setMessages([`${labels['validUntil']}: ${message}`]);
      return;
    }
    const terms: Omit<OfferTermsInput, 'validUntil'> = {
      price: { amount: normalizeDecimalInput(fields.amount) || null, currency: fields.currency, unit: fields.priceUnit },
      quantity: { value: normalizeDecimalInput(fields.quantity) || null, unit: fields.quantityUnit },
      tolerancePercent: normalizeDecimalInput(fields.tolerance) || 0,
      incoterm: fields.incoterm,
      namedPlace: fields.namedPlace.trim(),
      deliveryMode: fields.deliveryMode,
      deliveryWindow: { from: fields.from || null, to: fields.to || null },
      paymentTerms: fields.paymentTerms,
      inspectionBody: fields.inspectionBody.trim() || null,
      // Specs are overrides of the listing's: those an earlier offer changed carry over, a first offer changes none.
      specs: base?.specs ?? {},
      sourceWarehouseId: fields.sourceWarehouseId || null,
      ...(counterTo ? { counterToOfferId: counterTo.id } : {}),
    };
    const key = JSON.stringify([terms, hours]);
    if (pending.current?.terms !== key) pending.current = { id: crypto.randomUUID(), terms: key };
    setBusy(true);
    setFieldErrors({});
    setMessages([]);
    const failure = await onSubmit(pending.current.id, { ...terms, validUntil: new Date(Date.now() + hours * 3_600_000).toISOString() });
    setBusy(false);
    if (failure === null) return;
    const refused = hubFailure(failure);
    if (refused.code === 'invalid') setFieldErrors(invalidFields(refused.detail));
    setMessages(failureMessages(failure, t, labels));
  }

  const input = (key: Key, testId: string, path: string, props: Record<string, unknown> = {}) => (
    <Field id={`offer-${testId}`} label={labels[path] ?? path} path={path} errors={fieldErrors} name={testId} data-testid={testId} value={fields[key]} onChange={set(key)} {...props} />
  );
  const select = (key: Key, testId: string, path: string, options: readonly { value: string; label: string }[], label?: string) => (
    <Field id={`offer-${testId}`} label={label ?? labels[path] ?? path} path={path} errors={fieldErrors}>
      <select id={`offer-${testId}`} name={testId} data-testid={testId} value={fields[key]} onChange={set(key)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
  const plain = (values: readonly string[], current: string) => [...new Set([...values, ...(current ? [current] : [])])].map((v) => ({ value: v, label: v }));

  return (
    <form className="form panel offer-form" onSubmit={submit} noValidate data-testid="offer-form" aria-labelledby="offer-form-title">
      <h2 id="offer-form-title">{t(counterTo ? 'negotiation.counterTitle' : 'negotiation.offerTitle')}</h2>
      {counterTo && (
        <p className="muted">
          {t('negotiation.answering')} {formatPrice(counterTo.terms.price, locale, t)} · {formatQuantity(counterTo.terms.quantity, locale, t)}
        </p>
      )}
      <FormErrors messages={messages} />
      <div className="field-row field-row-3">
        {input('amount', 'price-amount', 'price.amount', { inputMode: 'decimal', autoComplete: 'off' })}
        {select('currency', 'price-currency', 'price.currency', plain(currencies, fields.currency))}
        {select('priceUnit', 'price-unit', 'price.unit', plain(units, fields.priceUnit))}
      </div>
      <div className="field-row field-row-3">
        {input('quantity', 'quantity-value', 'quantity.value', { inputMode: 'decimal', autoComplete: 'off' })}
        {select('quantityUnit', 'quantity-unit', 'quantity.unit', plain(units, fields.quantityUnit))}
        {input('tolerance', 'tolerance', 'tolerancePercent', { inputMode: 'decimal', autoComplete: 'off' })}
      </div>
      <div className="field-row field-row-3">
        {select('incoterm', 'incoterm', 'incoterm', plain(incoterms, fields.incoterm))}
        {input('namedPlace', 'named-place', 'namedPlace', { maxLength: 120 })}
        {select(
          'deliveryMode',
          'delivery-mode',
          'deliveryMode',
          deliveryModes.map((m) => ({ value: m, label: modeLabel(m, t) })),
        )}
      </div>
      <div className="field-row">
        {input('from', 'delivery-from', 'deliveryWindow.from', { type: 'date' })}
        {input('to', 'delivery-to', 'deliveryWindow.to', { type: 'date', min: fields.from || undefined })}
      </div>
      <FieldError path="deliveryWindow" errors={fieldErrors} />
      <div className="field-row field-row-3">
        {select(
          'paymentTerms',
          'payment-terms',
          'paymentTerms',
          paymentTermCodes.map((c) => ({ value: c, label: termLabel(c, t) })),
        )}
        {input('inspectionBody', 'inspection-body', 'inspectionBody', { maxLength: 100, placeholder: 'SGS, Bureau Veritas, CCIC' })}
        {input('validHours', 'valid-hours', 'validUntil', { inputMode: 'numeric', type: 'number', min: 1, max: maxValidHours, step: 1 })}
      </div>
      {room.mySide === 'seller' &&
        select(
          'sourceWarehouseId',
          'source-warehouse',
          'sourceWarehouseId',
          [
            { value: '', label: t('negotiation.noWarehouse') },
            ...warehouses.map((w) => ({ value: w.id, label: names.warehouse(w.id) })),
            ...(fields.sourceWarehouseId && !warehouses.some((w) => w.id === fields.sourceWarehouseId)
              ? [{ value: fields.sourceWarehouseId, label: names.warehouse(fields.sourceWarehouseId) }]
              : []),
          ],
          t('negotiation.sourceWarehouse'),
        )}
      <div className="toolbar-group">
        <button type="submit" className="button button-primary" data-testid="offer-submit" disabled={busy}>
          {t(counterTo ? 'negotiation.sendCounter' : 'negotiation.sendOffer')}
        </button>
        <button type="button" className="button button-ghost" data-testid="offer-cancel" onClick={onCancel}>
          {t('negotiation.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The form's text fields from the offer answered (or the last one), else from the listing's own terms. */
function initialFields(base: TermSheet | null, listing: Listing | null) {
  const day = 86_400_000;
  const from = base?.deliveryWindow.from ?? toDateInput(new Date(Date.now() + (listing?.leadTimeDays ?? 14) * day).toISOString());
  return {
    amount: decimalText(base?.price.amount ?? listing?.price.amount),
    currency: base?.price.currency ?? listing?.price.currency ?? 'USD',
    priceUnit: base?.price.unit ?? listing?.price.unit ?? 't',
    quantity: decimalText(base?.quantity.value ?? listing?.minOrder.value),
    quantityUnit: base?.quantity.unit ?? listing?.minOrder.unit ?? 't',
    tolerance: decimalText(base?.tolerancePercent ?? 5),
    incoterm: base?.incoterm ?? listing?.incoterm ?? 'FCA',
    namedPlace: base?.namedPlace ?? listing?.namedPlace ?? '',
    deliveryMode: normalizeMode(base?.deliveryMode ?? listing?.deliveryMode ?? 'rail'),
    from,
    to: base?.deliveryWindow.to ?? toDateInput(new Date(new Date(from).getTime() + 30 * day).toISOString()),
    paymentTerms: base?.paymentTerms ?? listing?.paymentTerms[0] ?? 'lc_sight',
    inspectionBody: base ? (base.inspectionBody ?? '') : 'SGS',
    sourceWarehouseId: base?.sourceWarehouseId ?? '',
    validHours: String(defaultValidHours),
  };
}
