import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, dealLinks, type Deal, type DealEvent, type DealPayments } from '../../api';
import { StatusBadge } from '../../components/StatusBadge';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages } from '../../errors';
import { formatDateTime, formatMoney, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n, useStableT, type MessageKey } from '../../i18n';
import { Link, useLocation } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { RoleFilter, roleOf } from '../../components/RoleFilter';
import { Terms } from '../../components/TermSheet';
import { usePagedList } from '../../hooks/usePagedList';
import { useSpecLabel } from '../../hooks/useSpecLabel';
import { DealActions } from './components/DealActions';
import { DocumentChecklist } from './components/DocumentChecklist';
import { DealEventLog, DealProgress } from './components/DealTimeline';
import { PaymentsPanel } from './components/PaymentsPanel';
import { lastSequence, mergeEvents } from './dealLog';
import { dealStatusLabel, normalizeStatus } from './labels';
import { useDealLive } from './useDealLive';

function DealStatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const normalized = normalizeStatus(status);
  return (
    <span className={`badge badge-deal-${normalized}`} data-testid="deal-status" data-status={normalized}>
      {dealStatusLabel(normalized, t)}
    </span>
  );
}

/** Deals of my organizations, newest first; ?role= narrows to one side. */
export function DealsPage() {
  const { t, lang, locale } = useI18n();
  const { query } = useLocation();
  const role = roleOf(query.get('role'));
  const list = usePagedList((cursor, signal) => api.deals({ role, cursor, limit: 50 }, signal), role ?? 'all');
  usePageTitle(t('deal.title'));

  return (
    <div className="page">
      <div className="page-toolbar">
        <div className="page-header">
          <h1>{t('deal.title')}</h1>
        </div>
        <Link to="/negotiations" className="button button-small button-ghost">
          {t('negotiation.title')}
        </Link>
      </div>
      <RoleFilter path="/deals" role={role} />
      <FormErrors messages={list.errors} />
      {list.items === null && list.errors.length === 0 && <p className="muted">{t('app.loading')}</p>}
      {list.items?.length === 0 && <p className="muted">{t('deal.none')}</p>}
      {list.items && list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table bordered-table" data-testid="deals-table">
            <thead>
              <tr>
                <th scope="col">{t('negotiation.col.listing')}</th>
                <th scope="col">{t('negotiation.col.counterpart')}</th>
                <th scope="col" className="num">
                  {t('negotiation.quantity')}
                </th>
                <th scope="col" className="num">
                  {t('negotiation.price')}
                </th>
                <th scope="col" className="num">
                  {t('deal.total')}
                </th>
                <th scope="col">{t('negotiation.col.status')}</th>
                <th scope="col">{t('deal.agreedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((d) => {
                const counterpart = d.mySide === 'seller' ? d.buyer : d.seller;
                return (
                  <tr key={d.id} data-testid="deal-row" data-deal-id={d.id}>
                    <td>
                      <Link to={`/deals/${encodeURIComponent(d.id)}`}>{localized(d.listing.title, lang) || t('listings.untitled')}</Link>
                      {d.mySide && <div className="muted small">{t(d.mySide === 'buyer' ? 'negotiation.youBuy' : 'negotiation.youSell')}</div>}
                    </td>
                    <td>
                      {counterpart.name} <span className="muted">({counterpart.countryCode})</span>
                    </td>
                    <td className="num">{formatQuantity(d.terms.quantity, locale, t)}</td>
                    <td className="num">{formatPrice(d.terms.price, locale, t)}</td>
                    <td className="num">
                      {formatMoney(d.total, locale)}
                    </td>
                    <td>
                      <DealStatusBadge status={d.status} />
                    </td>
                    <td className="nowrap">{formatDateTime(d.createdAt, locale)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.hasMore && (
        <button type="button" className="button" data-testid="deals-load-more" onClick={() => void list.more()} disabled={list.loading}>
          {t('listings.loadMore')}
        </button>
      )}
    </div>
  );
}

/** How often the deal page reads the deal while its live connection is down. */
const offlinePollMs = 10_000;

/** One deal: where it stands and how it got there, the frozen terms, contract, money, documents and what to do next. */
export function DealPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const stableT = useStableT();
  const [deal, setDeal] = useState<Deal | null>(null);
  const [events, setEvents] = useState<DealEvent[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const [payments, setPayments] = useState<DealPayments | null>(null);
  const [paymentErrors, setPaymentErrors] = useState<string[]>([]);
  const specLabel = useSpecLabel(deal?.listing.categoryKey);
  usePageTitle(deal ? localized(deal.listing.title, lang) : t('deal.title'));
  const held = useRef<DealEvent[]>([]);
  const loading = useRef<{ running: boolean; again: boolean }>({ running: false, again: false });

  /** Reads the deal and its payments; a call while one runs makes it read once more after, so nothing is missed. */
  const refresh = useCallback(async () => {
    if (loading.current.running) {
      loading.current.again = true;
      return;
    }
    loading.current.running = true;
    try {
      do {
        loading.current.again = false;
        const [dealAnswer, paymentsAnswer] = await Promise.allSettled([api.deal(id), api.dealPayments(id)]);
        if (dealAnswer.status === 'fulfilled') {
          setDeal(dealAnswer.value);
          held.current = mergeEvents(held.current, dealAnswer.value.events ?? []);
          setEvents(held.current);
          setErrors([]);
        } else {
          setErrors(errorMessages(dealAnswer.reason, stableT));
        }
        if (paymentsAnswer.status === 'fulfilled') {
          setPayments(paymentsAnswer.value);
          setPaymentErrors([]);
        } else if (!(paymentsAnswer.reason instanceof ApiError && paymentsAnswer.reason.status === 404)) {
          setPaymentErrors(errorMessages(paymentsAnswer.reason, stableT));
        }
      } while (loading.current.again);
    } finally {
      loading.current.running = false;
    }
  }, [id, stableT]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // A pushed event changes the deal (status, checklist, payments): it joins the log at once and the deal is read again.
  const live = useDealLive(
    id,
    () => lastSequence(held.current),
    (incoming) => {
      if (incoming.length === 0) return;
      held.current = mergeEvents(held.current, incoming);
      setEvents(held.current);
      void refresh();
    },
  );

  // Without the live connection the page still follows the deal, by reading it now and then.
  useEffect(() => {
    if (live === 'live' || live === 'connecting') return;
    const timer = window.setInterval(() => void refresh(), offlinePollMs);
    return () => window.clearInterval(timer);
  }, [live, refresh]);

  if (!deal) {
    return (
      <div className="page">
        <p className="breadcrumbs">
          <Link to="/deals">{t('deal.back')}</Link>
        </p>
        <h1>{t('deal.title')}</h1>
        {errors.length ? <FormErrors messages={errors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }
  const status = normalizeStatus(deal.status);
  const current = { ...deal, status };
  return (
    <div className="page" data-testid="deal-page" data-deal-id={deal.id}>
      <p className="breadcrumbs">
        <Link to="/deals">{t('deal.back')}</Link>
      </p>
      <div className="page-header">
        <p className="eyebrow">{t('deal.eyebrow')}</p>
        <div className="title-row">
          <h1 data-testid="deal-title">
            <Link to={`/listings/${encodeURIComponent(deal.listing.id)}`}>{localized(deal.listing.title, lang) || t('listings.untitled')}</Link>
          </h1>
          <DealStatusBadge status={status} />
          <span className={`badge connection-${live}`} data-testid="deal-live" data-state={live} role="status">
            {t(`negotiation.connection.${live}` as MessageKey)}
          </span>
        </div>
      </div>
      <FormErrors messages={errors} />
      <DealProgress status={status} events={events} />
      <div className="grid-2">
        <section className="panel">
          <h2>{t('deal.parties')}</h2>
          <dl className="details">
            <dt>{t('negotiation.buyer')}</dt>
            <dd data-testid="deal-buyer">
              {deal.buyer.name} <span className="muted">({deal.buyer.countryCode})</span> {deal.buyer.verified && <StatusBadge status="verified" />}
              {deal.mySide === 'buyer' && <span className="muted"> · {t('negotiation.yourSide')}</span>}
            </dd>
            <dt>{t('negotiation.seller')}</dt>
            <dd data-testid="deal-seller">
              {deal.seller.name} <span className="muted">({deal.seller.countryCode})</span> {deal.seller.verified && <StatusBadge status="verified" />}
              {deal.mySide === 'seller' && <span className="muted"> · {t('negotiation.yourSide')}</span>}
            </dd>
            <dt>{t('deal.agreedAt')}</dt>
            <dd>{formatDateTime(deal.createdAt, locale)}</dd>
            <dt>{t('deal.total')}</dt>
            <dd className="strong" data-testid="deal-total">
              {formatMoney(deal.total, locale)}
            </dd>
            {deal.deposit && (
              <>
                <dt>{t('deals.deposit')}</dt>
                <dd data-testid="deal-deposit">{formatMoney(deal.deposit, locale)}</dd>
              </>
            )}
            <dt>{t('deal.reservation')}</dt>
            <dd data-testid="deal-reservation">
              <Reservation deal={deal} />
            </dd>
            <dt>{t('deals.contract')}</dt>
            <dd>
              <a href={dealLinks.contract(deal.id)} className="button button-small" data-testid="deal-contract" download>
                {t('deals.contract.download')}
              </a>
              {deal.contractSha256 && (
                <div className="muted small mono" data-testid="deal-contract-sha" title={deal.contractSha256}>
                  SHA-256 {deal.contractSha256.slice(0, 16)}…
                </div>
              )}
            </dd>
          </dl>
          <Link to={`/negotiations/${encodeURIComponent(deal.roomId)}`} data-testid="deal-room-link">
            {t('deal.room')}
          </Link>
        </section>
        <section className="panel" data-testid="deal-terms">
          <h2>{t('deal.terms')}</h2>
          <p className="muted small">{t('deal.termsFrozen')}</p>
          <Terms terms={deal.terms} t={t} locale={locale} names={{ spec: specLabel, warehouse: () => deal.reservation?.warehouse.name ?? t('negotiation.sellerWarehouse') }} />
        </section>
      </div>
      <DealActions deal={current} onChanged={() => void refresh()} />
      <PaymentsPanel deal={current} payments={payments} errors={paymentErrors} onChanged={() => void refresh()} />
      <DocumentChecklist deal={current} onChanged={() => void refresh()} />
      <section className="panel" aria-labelledby="deal-log-title">
        <h2 id="deal-log-title">{t('deals.log')}</h2>
        <DealEventLog deal={deal} events={events} />
      </section>
    </div>
  );
}

/** The stock held for the deal by warehouse and lot; the seller's own warehouse is a link to its ledger. */
function Reservation({ deal }: { deal: Deal }) {
  const { t, locale } = useI18n();
  const r = deal.reservation;
  if (!r) return <span className="muted">{t('deal.noReservation')}</span>;
  return (
    <>
      {deal.mySide === 'seller' ? (
        <Link to={`/warehouses/${encodeURIComponent(r.warehouse.id)}`} data-testid="deal-warehouse">
          {r.warehouse.name}
        </Link>
      ) : (
        <span data-testid="deal-warehouse">{r.warehouse.name}</span>
      )}{' '}
      · {t('deals.lot', { lot: r.lot })} · {formatQuantity(r.quantity, locale, t)}
      <div className="muted small" data-testid="deal-reservation-status" data-status={r.status}>
        {t(r.status === 'shipped' ? 'deals.shippedFromStock' : r.status === 'released' || r.status === 'expired' ? 'deals.released' : 'deal.reserved')}
      </div>
    </>
  );
}
