import { useEffect, useState } from 'react';
import { request, type Decimal, type Page } from '../api';
import { FormErrors } from '../components/FormErrors';
import { errorMessages } from '../errors';
import { decimalText, formatDateTime, localized } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { formatPrice, formatQuantity } from '../labels';
import { Link, useLocation } from '../router';
import { usePageTitle } from '../usePageTitle';
import { Terms, type RoomListing, type RoomOrganization, type Side, type TermSheet } from './NegotiationPages';

type Deal = {
  id: string;
  roomId: string;
  offerId: string;
  listing: RoomListing;
  buyer: RoomOrganization;
  seller: RoomOrganization;
  mySide: Side | null;
  status: string;
  terms: TermSheet;
  total: { amount: Decimal; currency: string };
  reservationId: string | null;
  createdAt: string;
};

const statusKey = (status: string) => `deal.status.${status}` as MessageKey;

/** Deals of my organizations, newest first. */
export function DealsPage() {
  const { t, lang, locale } = useI18n();
  const { query } = useLocation();
  const role = query.get('role');
  const [deals, setDeals] = useState<Deal[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  usePageTitle(t('deal.title'));

  useEffect(() => {
    const controller = new AbortController();
    request<Page<Deal>>('/api/deals', { query: { role: role ?? undefined, limit: 100 }, signal: controller.signal })
      .then((page) => setDeals(page.items))
      .catch((e: unknown) => !(e instanceof DOMException) && setErrors(errorMessages(e, t)));
    return () => controller.abort();
  }, [role, t]);

  return (
    <div>
      <h1>{t('deal.title')}</h1>
      <FormErrors messages={errors} />
      {deals?.length === 0 && <p className="muted">{t('deal.none')}</p>}
      <table className="table">
        <tbody>
          {deals?.map((d) => (
            <tr key={d.id} data-testid="deal-row" data-deal-id={d.id}>
              <td>
                <Link to={`/deals/${encodeURIComponent(d.id)}`}>{localized(d.listing.title, lang)}</Link>
              </td>
              <td>{d.mySide === 'seller' ? d.buyer.name : d.seller.name}</td>
              <td>{formatQuantity(d.terms.quantity, locale, t)}</td>
              <td>{formatPrice(d.terms.price, locale, t)}</td>
              <td>
                {decimalText(d.total.amount)} {d.total.currency}
              </td>
              <td>{t(statusKey(d.status))}</td>
              <td>{formatDateTime(d.createdAt, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One deal: the accepted terms as frozen at acceptance, the value and the stock held for it. */
export function DealPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const [deal, setDeal] = useState<Deal | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  usePageTitle(t('deal.title'));

  useEffect(() => {
    request<Deal>(`/api/deals/${encodeURIComponent(id)}`)
      .then(setDeal)
      .catch((e: unknown) => setErrors(errorMessages(e, t)));
  }, [id, t]);

  if (!deal) return errors.length ? <FormErrors messages={errors} /> : <p className="muted">{t('app.loading')}</p>;
  return (
    <div>
      <p className="breadcrumbs">
        <Link to="/deals">{t('deal.back')}</Link>
      </p>
      <h1 data-testid="deal-title">{localized(deal.listing.title, lang)}</h1>
      <p>
        <span className="badge" data-testid="deal-status">
          {t(statusKey(deal.status))}
        </span>{' '}
        {deal.buyer.name} ⇄ {deal.seller.name} · {formatDateTime(deal.createdAt, locale)}
      </p>
      <section className="panel">
        <h2>{t('deal.terms')}</h2>
        <Terms terms={deal.terms} t={t} locale={locale} />
        <p className="strong" data-testid="deal-total">
          {t('deal.total')}: {decimalText(deal.total.amount)} {deal.total.currency}
        </p>
        {deal.reservationId && (
          <p className="muted" data-testid="deal-reservation">
            {t('deal.reserved')}
          </p>
        )}
        <Link to={`/negotiations/${encodeURIComponent(deal.roomId)}`}>{t('deal.room')}</Link>
      </section>
    </div>
  );
}
