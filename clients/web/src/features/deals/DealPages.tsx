import { useEffect, useState } from 'react';
import { api, type Deal } from '../../api';
import { StatusBadge } from '../../components/StatusBadge';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages } from '../../errors';
import { formatDateTime, formatMoney, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { Link, useLocation } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { RoleFilter, roleOf } from '../../components/RoleFilter';
import { Terms } from '../../components/TermSheet';
import { usePagedList } from '../../hooks/usePagedList';
import { useSpecLabel } from '../../hooks/useSpecLabel';

const statusKeys: Record<string, MessageKey> = {
  agreed: 'deal.status.agreed',
  depositPending: 'deal.status.depositPending',
  depositPaid: 'deal.status.depositPaid',
  shipped: 'deal.status.shipped',
  completed: 'deal.status.completed',
  cancelled: 'deal.status.cancelled',
  disputed: 'deal.status.disputed',
};

function DealStatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = statusKeys[status];
  return (
    <span className={`badge badge-deal-${status}`} data-testid="deal-status" data-status={status}>
      {key ? t(key) : status}
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

/** One deal: the accepted terms as frozen at acceptance, the contract value and the stock held for it. */
export function DealPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const [deal, setDeal] = useState<Deal | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const specLabel = useSpecLabel(deal?.listing.categoryKey);
  usePageTitle(deal ? localized(deal.listing.title, lang) : t('deal.title'));

  useEffect(() => {
    const controller = new AbortController();
    api
      .deal(id, controller.signal)
      .then(setDeal)
      .catch((e: unknown) => !controller.signal.aborted && setErrors(errorMessages(e, t)));
    return () => controller.abort();
    // t is left out on purpose: changing the language must not reload the deal.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

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
  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link to="/deals">{t('deal.back')}</Link>
      </p>
      <div className="page-header">
        <p className="eyebrow">{t('deal.eyebrow')}</p>
        <div className="title-row">
          <h1 data-testid="deal-title">
            <Link to={`/listings/${encodeURIComponent(deal.listing.id)}`}>{localized(deal.listing.title, lang) || t('listings.untitled')}</Link>
          </h1>
          <DealStatusBadge status={deal.status} />
        </div>
      </div>
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
            <dt>{t('deal.reservation')}</dt>
            <dd data-testid="deal-reservation">
              {deal.reservationId ? (
                <>
                  <code>{deal.reservationId}</code>
                  <div className="muted small">{t('deal.reserved')}</div>
                </>
              ) : (
                <span className="muted">{t('deal.noReservation')}</span>
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
          <Terms terms={deal.terms} t={t} locale={locale} names={{ spec: specLabel }} />
        </section>
      </div>
    </div>
  );
}
