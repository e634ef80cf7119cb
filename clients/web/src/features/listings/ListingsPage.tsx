import { useEffect } from 'react';
import { api, listingStatuses, type ListingStatus, type ListingSummary } from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { ListingStatusBadge } from './components/ListingStatusBadge';
import { NoOrganization, OrganizationPicker } from '../../components/OrganizationPicker';
import { countryName } from '../../countries';
import { usePagedList } from '../../hooks/usePagedList';
import { formatDate, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n } from '../../i18n';
import { listingStatusLabel } from '../../labels';
import { canTrade, rememberOrganization, useOrganizationSelection } from '../../hooks/organizationSelection';
import { Link, navigate, useLocation } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';

const pageSize = 20;

/** "My listings": every listing of the selected organization, filtered by status, paged by cursor. */
export function ListingsPage() {
  const { t, lang, locale } = useI18n();
  const { me } = useAuth();
  const selection = useOrganizationSelection();
  const orgId = selection.selectedId;
  const { path, query } = useLocation();
  const status = (listingStatuses as readonly string[]).includes(query.get('status') ?? '')
    ? (query.get('status') as ListingStatus)
    : '';

  usePageTitle(t('listings.title'));
  const list = usePagedList<ListingSummary>(
    (cursor, signal) =>
      orgId ? api.organizationListings(orgId, { status, cursor, limit: pageSize }, signal) : Promise.resolve({ items: [] }),
    `${orgId ?? ''}|${status}`,
  );
  const items = list.items ?? [];
  const { errors, loading } = list;

  useEffect(() => {
    if (orgId) rememberOrganization(orgId);
  }, [orgId]);

  function setStatus(next: string) {
    const params = new URLSearchParams(query);
    if (next) params.set('status', next);
    else params.delete('status');
    const qs = params.toString();
    navigate(qs ? `${path}?${qs}` : path, { replace: true });
  }

  if (selection.organizations.length === 0) {
    return (
      <div className="page">
        <h1>{t('listings.title')}</h1>
        <NoOrganization />
      </div>
    );
  }

  const trader = canTrade(me, orgId);
  const orgQuery = orgId ? `?org=${encodeURIComponent(orgId)}` : '';

  return (
    <div className="page">
      <div className="page-header">
        <p className="eyebrow">{selection.selected?.name}</p>
        <h1>{t('listings.title')}</h1>
      </div>
      <div className="page-toolbar">
        <div className="toolbar-group">
          <OrganizationPicker selection={selection} />
          <Field id="listings-status" label={t('listings.filter')} className="field-inline">
            <select
              id="listings-status"
              data-testid="listings-status"
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            >
              <option value="">{t('listings.filter.all')}</option>
              {listingStatuses.map((s) => (
                <option key={s} value={s}>
                  {listingStatusLabel(s, t)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {trader && (
          <div className="toolbar-group">
            <Link to={`/listings/import${orgQuery}`} className="button" data-testid="listing-import">
              {t('listings.import')}
            </Link>
            <Link to={`/listings/new${orgQuery}`} className="button button-primary" data-testid="listing-new">
              {t('listings.new')}
            </Link>
          </div>
        )}
      </div>
      {!trader && <p className="notice notice-info">{t('listings.viewerHint')}</p>}
      <FormErrors messages={errors} />

      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table bordered-table" data-testid="listings-table">
            <thead>
              <tr>
                <th>{t('listings.col.title')}</th>
                <th>{t('listings.col.status')}</th>
                <th className="num">{t('listings.col.quantity')}</th>
                <th className="num">{t('listings.col.price')}</th>
                <th>{t('listings.col.terms')}</th>
                <th>{t('listings.col.validUntil')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((l) => (
                <tr key={l.id} data-testid="listing-row" data-listing-id={l.id}>
                  <td data-label={t('listings.col.title')}>
                    <Link to={`/listings/${encodeURIComponent(l.id)}`} className="strong">
                      {localized(l.title, lang) || t('listings.untitled')}
                    </Link>
                    {l.originCountry && <div className="muted small">{countryName(l.originCountry, locale)}</div>}
                  </td>
                  <td data-label={t('listings.col.status')}>
                    <ListingStatusBadge status={l.status} />
                  </td>
                  <td data-label={t('listings.col.quantity')} className="num">
                    {formatQuantity(l.quantity, locale, t)}
                  </td>
                  <td data-label={t('listings.col.price')} className="num">
                    {formatPrice(l.price, locale, t)}
                  </td>
                  <td data-label={t('listings.col.terms')}>
                    <span className="mono">{l.incoterm}</span> {l.namedPlace}
                  </td>
                  <td data-label={t('listings.col.validUntil')} className="nowrap">
                    {formatDate(l.validUntil, locale)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        !loading &&
        errors.length === 0 && (
          <p className="panel muted" data-testid="listings-empty">
            {status ? t('listings.emptyStatus') : t('listings.empty')}
          </p>
        )
      )}
      {loading && <p className="muted">{t('app.loading')}</p>}
      {list.hasMore && !loading && (
        <div className="form-actions">
          <button type="button" className="button" data-testid="listings-load-more" onClick={() => void list.more()}>
            {t('listings.loadMore')}
          </button>
        </div>
      )}
    </div>
  );
}
