import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  api,
  movementInputKinds,
  type Decimal,
  type ListingSummary,
  type Movement,
  type MovementInput,
  type MovementInputKind,
  type StockLot,
  type Warehouse,
} from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { countryName } from '../../countries';
import { errorMessages, fieldMessages } from '../../errors';
import { checkDecimalInput, decimalText, formatAmountUnit, formatDateTime, groupDecimalText, localized, normalizeDecimalInput } from '../../format';
import { useI18n, type Translate, useStableT } from '../../i18n';
import { listingStatusLabel, movementKindLabel, unitLabel, unitsFor, warehouseKindLabel } from '../../labels';
import { canTrade } from '../../hooks/organizationSelection';
import { Link } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { AmountField } from '../../components/AmountField';
import { Field } from '../../components/Field';
import { CodeSelect } from '../../components/CodeSelect';

const ledgerPageSize = 20;

/** A warehouse: stock by lot, a movement form for owners and traders, and the ledger (newest first). */
export function WarehousePage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const stableT = useStableT();
  const { me } = useAuth();
  const [warehouse, setWarehouse] = useState<Warehouse | null>(null);
  const [loadErrors, setLoadErrors] = useState<string[]>([]);
  const [stock, setStock] = useState<StockLot[] | null>(null);
  const [stockErrors, setStockErrors] = useState<string[]>([]);
  const [ledger, setLedger] = useState<Movement[]>([]);
  const [ledgerCursor, setLedgerCursor] = useState<string | null>(null);
  const [ledgerLoading, setLedgerLoading] = useState(false);
  const [ledgerErrors, setLedgerErrors] = useState<string[]>([]);
  const [listings, setListings] = useState<ListingSummary[]>([]);
  const [siblings, setSiblings] = useState<Warehouse[]>([]);
  usePageTitle(warehouse?.name ?? t('warehouse.pageTitle'));

  const loadStock = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const s = await api.warehouseStock(id, signal);
        setStock(s ?? []);
        setStockErrors([]);
      } catch (err) {
        if (signal?.aborted) return;
        setStock([]);
        setStockErrors(errorMessages(err, stableT));
      }
    },
    // t is left out on purpose: switching language must not reload.
    [id, stableT],
  );

  const loadLedger = useCallback(
    async (append: boolean, from: string | null, signal?: AbortSignal) => {
      setLedgerLoading(true);
      setLedgerErrors([]);
      try {
        const page = await api.warehouseMovements(id, { cursor: from, limit: ledgerPageSize }, signal);
        setLedger((prev) => (append ? [...prev, ...(page.items ?? [])] : (page.items ?? [])));
        setLedgerCursor(page.nextCursor ?? null);
      } catch (err) {
        if (signal?.aborted) return;
        setLedgerErrors(errorMessages(err, stableT));
      } finally {
        if (!signal?.aborted) setLedgerLoading(false);
      }
    },
    [id, stableT],
  );

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    setWarehouse(null);
    setLoadErrors([]);
    setStock(null);
    setLedger([]);
    setLedgerCursor(null);
    api
      .warehouse(id, signal)
      .then(setWarehouse)
      .catch((err: unknown) => {
        if (signal.aborted) return;
        setLoadErrors([stableT('warehouse.loadFailed'), ...errorMessages(err, stableT)]);
      });
    loadStock(signal);
    loadLedger(false, null, signal);
    return () => controller.abort();
  }, [id, loadStock, loadLedger, stableT]);

  // The organization's listings (for the movement form and the ledger's titles) and its other warehouses.
  const orgId = warehouse?.organizationId;
  useEffect(() => {
    if (!orgId) return;
    const controller = new AbortController();
    const signal = controller.signal;
    (async () => {
      const all: ListingSummary[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page = await api.organizationListings(orgId, { cursor, limit: 100 }, signal);
        all.push(...(page.items ?? []));
        cursor = page.nextCursor ?? null;
        if (!cursor) break;
      }
      if (!signal.aborted) setListings(all);
    })().catch(() => undefined);
    api
      .warehouses(orgId, signal)
      .then((w) => setSiblings(w ?? []))
      .catch(() => undefined);
    return () => controller.abort();
  }, [orgId]);

  const titles = useMemo(() => {
    const map = new Map<string, string>();
    for (const l of listings) map.set(l.id, localized(l.title, lang));
    for (const s of stock ?? []) if (!map.get(s.listingId)) map.set(s.listingId, localized(s.listing?.title, lang));
    return map;
  }, [listings, stock, lang]);

  const warehouseNames = useMemo(() => new Map(siblings.map((w) => [w.id, w.name])), [siblings]);

  if (!warehouse) {
    return (
      <div className="page">
        <h1>{t('warehouse.pageTitle')}</h1>
        {loadErrors.length ? <FormErrors messages={loadErrors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }

  const trader = canTrade(me, warehouse.organizationId);
  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link to={`/warehouses?org=${encodeURIComponent(warehouse.organizationId)}`}>{t('warehouse.back')}</Link>
      </p>
      <div className="page-header">
        <p className="eyebrow">{warehouseKindLabel(warehouse.kind, t)}</p>
        <div className="title-row">
          <h1 data-testid="warehouse-title">{warehouse.name}</h1>
        </div>
        <p className="muted">
          {warehouse.city}, {countryName(warehouse.countryCode, locale)}
          {warehouse.location && (
            <span className="mono">
              {' '}
              · {decimalText(warehouse.location.lat)}, {decimalText(warehouse.location.lon)}
            </span>
          )}
        </p>
      </div>

      <section className="panel">
        <h2>{t('warehouse.stock')}</h2>
        <FormErrors messages={stockErrors} />
        {stock === null ? (
          <p className="muted">{t('app.loading')}</p>
        ) : (
          <table className="table" data-testid="stock-table">
            <thead>
              <tr>
                <th>{t('warehouse.col.lot')}</th>
                <th>{t('warehouse.col.listing')}</th>
                <th className="num">{t('stock.onHand')}</th>
                <th className="num">{t('stock.reserved')}</th>
                <th className="num">{t('stock.available')}</th>
                <th>{t('warehouse.col.unit')}</th>
              </tr>
            </thead>
            <tbody>
              {stock.map((s) => (
                <tr key={s.lotId} data-testid="stock-row" data-lot={s.lotNumber} data-listing-id={s.listingId}>
                  <td data-label={t('warehouse.col.lot')}>
                    <span className="mono strong">{s.lotNumber}</span>
                    {s.qualityCertificate && (
                      <div className="muted small">
                        {t('warehouse.field.certificate')}: {s.qualityCertificate}
                      </div>
                    )}
                  </td>
                  <td data-label={t('warehouse.col.listing')}>
                    <Link to={`/listings/${encodeURIComponent(s.listingId)}`}>
                      {localized(s.listing?.title, lang) || titles.get(s.listingId) || t('listings.untitled')}
                    </Link>
                  </td>
                  <td data-label={t('stock.onHand')} className="num" data-testid="stock-on-hand">
                    {groupDecimalText(decimalText(s.onHand), locale)}
                  </td>
                  <td data-label={t('stock.reserved')} className="num" data-testid="stock-reserved">
                    {groupDecimalText(decimalText(s.reserved), locale)}
                  </td>
                  <td data-label={t('stock.available')} className="num strong" data-testid="stock-available">
                    {groupDecimalText(decimalText(s.available), locale)}
                  </td>
                  <td data-label={t('warehouse.col.unit')}>{unitLabel(s.unit, t)}</td>
                </tr>
              ))}
              {stock.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted" data-testid="stock-empty">
                    {t('warehouse.stockEmpty')}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </section>

      {trader && (
        <section className="panel">
          <h2>{t('warehouse.movement')}</h2>
          <MovementForm
            warehouse={warehouse}
            listings={listings}
            siblings={siblings.filter((w) => w.id !== warehouse.id)}
            stock={stock ?? []}
            onRecorded={() => {
              loadStock();
              loadLedger(false, null);
            }}
          />
        </section>
      )}

      <section className="panel">
        <h2>{t('warehouse.ledger')}</h2>
        <FormErrors messages={ledgerErrors} />
        <table className="table" data-testid="ledger-table">
          <thead>
            <tr>
              <th>{t('warehouse.col.at')}</th>
              <th>{t('warehouse.col.kind')}</th>
              <th>{t('warehouse.col.lot')}</th>
              <th>{t('warehouse.col.listing')}</th>
              <th className="num">{t('warehouse.col.onHandDelta')}</th>
              <th className="num">{t('warehouse.col.reservedDelta')}</th>
              <th>{t('warehouse.col.details')}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.map((m) => (
              <tr key={m.id} data-testid="ledger-row" data-movement-id={m.id} data-kind={m.kind}>
                <td data-label={t('warehouse.col.at')}>{formatDateTime(m.at, locale)}</td>
                <td data-label={t('warehouse.col.kind')}>{movementKindLabel(m.kind, t)}</td>
                <td data-label={t('warehouse.col.lot')} className="mono ledger-lot">
                  {m.lotNumber}
                </td>
                <td data-label={t('warehouse.col.listing')}>
                  <Link to={`/listings/${encodeURIComponent(m.listingId)}`}>
                    {titles.get(m.listingId) || t('listings.untitled')}
                  </Link>
                </td>
                <td data-label={t('warehouse.col.onHandDelta')} className="num">
                  {signed(m.onHandDelta, m.unit, locale, t)}
                </td>
                <td data-label={t('warehouse.col.reservedDelta')} className="num">
                  {signed(m.reservedDelta, m.unit, locale, t)}
                </td>
                <td data-label={t('warehouse.col.details')} className="note-cell">
                  {m.counterpartWarehouseId && (
                    <div>
                      {m.kind === 'transferIn' ? t('warehouse.from') : t('warehouse.to')}{' '}
                      <Link to={`/warehouses/${encodeURIComponent(m.counterpartWarehouseId)}`}>
                        {warehouseNames.get(m.counterpartWarehouseId) ?? t('warehouse.otherWarehouse')}
                      </Link>
                    </div>
                  )}
                  {m.reason && (
                    <div>
                      <span className="muted">{t('warehouse.field.reason')}:</span> {m.reason}
                    </div>
                  )}
                  {m.note && (
                    <div>
                      <span className="muted">{t('warehouse.field.note')}:</span> {m.note}
                    </div>
                  )}
                </td>
              </tr>
            ))}
            {ledger.length === 0 && !ledgerLoading && ledgerErrors.length === 0 && (
              <tr>
                <td colSpan={7} className="muted" data-testid="ledger-empty">
                  {t('warehouse.ledgerEmpty')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        {ledgerLoading && <p className="muted">{t('app.loading')}</p>}
        {ledgerCursor && !ledgerLoading && (
          <div className="form-actions">
            <button
              type="button"
              className="button"
              data-testid="ledger-load-more"
              onClick={() => loadLedger(true, ledgerCursor)}
            >
              {t('listings.loadMore')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}

/** "+12.5 t", "-3 t", "0" — the delta exactly as sent, with its sign. */
function signed(value: Decimal, unit: string, locale: string, t: Translate): string {
  const text = decimalText(value);
  if (!text || /^-?0+(\.0+)?$/.test(text)) return '0';
  const amount = formatAmountUnit(value, unit, locale, t);
  return text.startsWith('-') ? amount : `+${amount}`;
}

type MovementFormProps = {
  warehouse: Warehouse;
  listings: ListingSummary[];
  siblings: Warehouse[];
  stock: StockLot[];
  onRecorded: () => void;
};

function MovementForm({ warehouse, listings, siblings, stock, onRecorded }: MovementFormProps) {
  const { t, lang } = useI18n();
  const [kind, setKind] = useState<MovementInputKind>('receipt');
  const [listingId, setListingId] = useState('');
  const [lot, setLot] = useState('');
  const [quantity, setQuantity] = useState('');
  const [unit, setUnit] = useState('t');
  const [toWarehouseId, setToWarehouseId] = useState('');
  const [reason, setReason] = useState('');
  const [certificate, setCertificate] = useState('');
  const [note, setNote] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const listing = listings.find((l) => l.id === listingId);
  const stockUnit = stock.find((s) => s.listingId === listingId)?.unit;
  const baseUnit = stockUnit ?? listing?.quantity?.unit;
  const units = unitsFor(baseUnit);
  const lots = stock.filter((s) => s.listingId === listingId).map((s) => s.lotNumber);

  const labels: Record<string, string> = {
    kind: t('warehouse.field.kind'),
    listingId: t('warehouse.field.listing'),
    lot: t('warehouse.field.lot'),
    quantity: t('warehouse.field.quantity'),
    'quantity.value': t('warehouse.field.quantity'),
    'quantity.unit': t('warehouse.field.unit'),
    toWarehouseId: t('warehouse.field.to'),
    reason: t('warehouse.field.reason'),
    qualityCertificate: t('warehouse.field.certificate'),
    note: t('warehouse.field.note'),
  };

  function chooseListing(id: string) {
    setListingId(id);
    const l = listings.find((x) => x.id === id);
    const u = stock.find((s) => s.listingId === id)?.unit ?? l?.quantity?.unit;
    if (u) setUnit(u);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string[]> = {};
    const text = normalizeDecimalInput(quantity);
    if (text) {
      const bad = checkDecimalInput(text, 3, { allowNegative: kind === 'adjustment' });
      if (bad === 'number') problems['quantity.value'] = [t('editor.error.number')];
      else if (bad === 'decimals') problems['quantity.value'] = [t('editor.error.decimals', { n: 3 })];
    }
    if (Object.keys(problems).length) {
      setFieldErrors(problems);
      setMessages(Object.entries(problems).flatMap(([k, list]) => list.map((m) => `${labels[k] ?? k}: ${m}`)));
      setDone(false);
      return;
    }
    const input: MovementInput = {
      kind,
      listingId: listingId || null,
      lot: lot.trim(),
      quantity: { value: text || null, unit: units.includes(unit) ? unit : (baseUnit ?? unit) },
    };
    if (note.trim()) input.note = note.trim();
    if (kind === 'transfer') input.toWarehouseId = toWarehouseId || undefined;
    if (kind === 'adjustment' && reason.trim()) input.reason = reason.trim();
    if (kind === 'receipt' && certificate.trim()) input.qualityCertificate = certificate.trim();

    setBusy(true);
    setFieldErrors({});
    setMessages([]);
    setDone(false);
    try {
      await api.recordMovement(warehouse.id, input);
      setQuantity('');
      setReason('');
      setCertificate('');
      setNote('');
      setDone(true);
      onRecorded();
    } catch (err) {
      setFieldErrors(fieldMessages(err, t));
      setMessages(errorMessages(err, t, labels));
    } finally {
      setBusy(false);
    }
  }

  const err = fieldErrors;
  return (
    <form className="form" onSubmit={submit} noValidate data-testid="movement-form">
      <FormErrors messages={messages} />
      {done && (
        <p className="notice notice-success" role="status" data-testid="movement-done">
          {t('warehouse.recorded')}
        </p>
      )}
      <div className="field-row field-row-3">
        <Field id="movement-kind" label={labels.kind} path="kind" errors={err}>
          <CodeSelect
            id="movement-kind"
            data-testid="movement-kind"
            value={kind}
            codes={movementInputKinds}
            label={(k) => movementKindLabel(k, t)}
            onChange={setKind}
          />
        </Field>
        <Field id="movement-listing" label={labels.listingId} path="listingId" errors={err} className="field-span-2">
          <select
            id="movement-listing"
            data-testid="movement-listing"
            value={listingId}
            onChange={(e) => chooseListing(e.target.value)}
          >
            <option value="">{t('warehouse.field.listingPlaceholder')}</option>
            {listings.map((l) => (
              <option key={l.id} value={l.id}>
                {localized(l.title, lang) || t('listings.untitled')} ({listingStatusLabel(l.status, t)})
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="field-row field-row-3">
        <Field
          id="movement-lot"
          label={labels.lot}
          path="lot"
          errors={err}
          hint={kind === 'receipt' ? t('warehouse.field.lotHintReceipt') : t('warehouse.field.lotHint')}
          data-testid="movement-lot"
          value={lot}
          maxLength={64}
          list="movement-lots"
          autoComplete="off"
          onChange={(e) => setLot(e.target.value)}
        />
        <datalist id="movement-lots">
          {lots.map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
        <AmountField
          id="movement-quantity"
          label={labels.quantity ?? ''}
          hint={kind === 'adjustment' ? t('warehouse.field.quantityHintAdjustment') : t('editor.decimalsHint', { n: 3 })}
          value={quantity}
          onValue={setQuantity}
          unit={unit}
          onUnit={setUnit}
          units={units}
          unitText={labels['quantity.unit']}
          valuePath="quantity.value"
          unitPath="quantity.unit"
          paths={['quantity']}
          errors={err}
          className="field-span-2"
        />
      </div>
      {kind === 'transfer' && (
        <Field
          id="movement-to"
          label={labels.toWarehouseId}
          path="toWarehouseId"
          errors={err}
          hint={siblings.length === 0 ? t('warehouse.field.noOther') : undefined}
        >
          <select id="movement-to" data-testid="movement-to" value={toWarehouseId} onChange={(e) => setToWarehouseId(e.target.value)}>
            <option value="">{t('warehouse.field.toPlaceholder')}</option>
            {siblings.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name} — {w.city}
              </option>
            ))}
          </select>
        </Field>
      )}
      {kind === 'adjustment' && (
        <Field
          id="movement-reason"
          label={
            <>
              {labels.reason}
              <span className="required-mark"> *</span>
            </>
          }
          path="reason"
          errors={err}
          data-testid="movement-reason"
          value={reason}
          maxLength={200}
          placeholder={t('warehouse.field.reasonPlaceholder')}
          onChange={(e) => setReason(e.target.value)}
        />
      )}
      {kind === 'receipt' && (
        <Field
          id="movement-certificate"
          label={labels.qualityCertificate}
          path="qualityCertificate"
          errors={err}
          data-testid="movement-certificate"
          value={certificate}
          maxLength={120}
          onChange={(e) => setCertificate(e.target.value)}
        />
      )}
      <Field
        id="movement-note"
        label={labels.note}
        path="note"
        errors={err}
        data-testid="movement-note"
        value={note}
        maxLength={500}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="movement-submit" disabled={busy}>
          {busy ? t('auth.working') : t('warehouse.submit')}
        </button>
      </div>
    </form>
  );
}
