import { api, type Offer, type Room } from '../../api';
import { FormErrors } from '../../components/FormErrors';
import { RoleFilter, roleOf } from '../../components/RoleFilter';
import { formatDateTime, formatPrice, formatQuantity, localized } from '../../format';
import { usePagedList } from '../../hooks/usePagedList';
import { usePageTitle } from '../../hooks/usePageTitle';
import { useI18n } from '../../i18n';
import { Link, useLocation } from '../../router';
import { RoomStatusBadge } from './components/RoomStatusBadge';

const pageSize = 50;

export function NegotiationsPage() {
  const { t, lang, locale } = useI18n();
  const { query } = useLocation();
  const role = roleOf(query.get('role'));
  const list = usePagedList((cursor, signal) => api.negotiations({ role, cursor, limit: pageSize }, signal), role ?? 'all');
  usePageTitle(t('negotiation.title'));

  return (
    <div className="page">
      <div className="page-toolbar">
        <div className="page-header">
          <h1>{t('negotiation.title')}</h1>
        </div>
        <Link to="/deals" className="button button-small button-ghost" data-testid="negotiations-deals-link">
          {t('deal.title')}
        </Link>
      </div>
      <RoleFilter path="/negotiations" role={role} />
      <FormErrors messages={list.errors} />
      {list.items === null && list.errors.length === 0 && <p className="muted">{t('app.loading')}</p>}
      {list.items?.length === 0 && <p className="muted">{t('negotiation.none')}</p>}
      {list.items && list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table bordered-table" data-testid="negotiations-table">
            <thead>
              <tr>
                <th scope="col">{t('negotiation.col.listing')}</th>
                <th scope="col">{t('negotiation.col.counterpart')}</th>
                <th scope="col">{t('negotiation.col.status')}</th>
                <th scope="col">{t('negotiation.col.openOffer')}</th>
                <th scope="col">{t('negotiation.col.updated')}</th>
                <th scope="col" className="num">
                  {t('negotiation.unread')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => {
                const counterpart = r.mySide === 'seller' ? r.buyer : r.seller;
                return (
                  <tr key={r.id} data-testid="negotiation-row" data-room-id={r.id} data-status={r.status} className={r.unread > 0 ? 'strong' : undefined}>
                    <td>
                      <Link to={`/negotiations/${encodeURIComponent(r.id)}`}>{localized(r.listing.title, lang) || t('listings.untitled')}</Link>
                      {r.mySide && <div className="muted small">{t(r.mySide === 'buyer' ? 'negotiation.youBuy' : 'negotiation.youSell')}</div>}
                    </td>
                    <td>
                      {counterpart.name} <span className="muted">({counterpart.countryCode})</span>
                    </td>
                    <td>
                      <RoomStatusBadge status={r.status} />
                    </td>
                    <td data-testid="negotiation-open-offer">{r.openOffer ? <OfferSummary offer={r.openOffer} room={r} /> : <span className="muted">—</span>}</td>
                    <td className="nowrap">{formatDateTime(r.updatedAt, locale)}</td>
                    <td className="num">
                      {r.unread > 0 && (
                        <span className="badge badge-unread" data-testid="unread-count" title={t('negotiation.unread')}>
                          {r.unread}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.hasMore && (
        <button type="button" className="button" data-testid="negotiations-load-more" onClick={() => void list.more()} disabled={list.loading}>
          {t('listings.loadMore')}
        </button>
      )}
    </div>
  );
}

/** "Seller's offer: 241.5 USD/t · 600 t" */
function OfferSummary({ offer, room }: { offer: Offer; room: Pick<Room, 'buyer' | 'seller'> }) {
  const { t, locale } = useI18n();
  const by = offer.side === 'buyer' ? room.buyer.name : room.seller.name;
  return (
    <span>
      <span className="muted">{by}:</span> {formatPrice(offer.terms.price, locale, t)} · {formatQuantity(offer.terms.quantity, locale, t)} · {offer.terms.incoterm}{' '}
      {offer.terms.namedPlace}
    </span>
  );
}
