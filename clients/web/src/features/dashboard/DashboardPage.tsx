import { useEffect, useState, type ReactNode } from 'react';
import { api, type Dashboard, type DashboardOffer, type DealNextAction } from '../../api';
import { Icon, type IconName } from '../../components/Icon';
import { FormErrors } from '../../components/FormErrors';
import { NoOrganization, OrganizationPicker } from '../../components/OrganizationPicker';
import { errorMessages } from '../../errors';
import { formatMoney, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { useOrganizationSelection } from '../../hooks/organizationSelection';
import { usePageTitle } from '../../hooks/usePageTitle';
import { useTextContext } from '../../hooks/useTextContext';
import { Link } from '../../router';
import { keyFor } from '../../serverText';
import { onNotification } from '../notifications/live';
import { timeLeftText } from './timeLeft';
import { UpcomingSessions } from '../../components/UpcomingSessions';

const nextActionKeys: Record<DealNextAction, MessageKey> = {
  pay_deposit: 'dashboard.next.pay_deposit',
  await_deposit: 'dashboard.next.await_deposit',
  ship: 'dashboard.next.ship',
  await_shipment: 'dashboard.next.await_shipment',
  confirm_delivery: 'dashboard.next.confirm_delivery',
  await_delivery: 'dashboard.next.await_delivery',
  complete: 'dashboard.next.complete',
  resolve_dispute: 'dashboard.next.resolve_dispute',
  none: 'dashboard.next.none',
};


/** What needs the active organization today: where sign-in lands. One call, GET /api/dashboard. */
export function DashboardPage() {
  const { t } = useI18n();
  const selection = useOrganizationSelection();
  const organizationId = selection.selectedId;
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  usePageTitle(t('dashboard.title'));

  useEffect(() => {
    if (!organizationId) return;
    const controller = new AbortController();
    api
      .dashboard(organizationId, controller.signal)
      .then((d) => {
        setDashboard(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [organizationId, version]);

  // A new offer, match or deal arrives as a notification: the day's view is read again.
  useEffect(() => onNotification(() => setVersion((v) => v + 1)), []);

  if (!organizationId) return <NoOrganization />;
  return (
    <div className="dashboard" data-testid="dashboard">
      <p className="eyebrow">{t('dashboard.title')}</p>
      <h1>{t('dashboard.for', { name: selection.selected?.name ?? '' })}</h1>
      <OrganizationPicker selection={selection} />
      {error !== null && <FormErrors messages={errorMessages(error, t)} />}
      {dashboard && <DashboardCards dashboard={dashboard} />}
    </div>
  );
}

function Card({ icon, title, count, testId, children }: { icon: IconName; title: string; count: number; testId: string; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className="panel dashboard-card" data-testid={testId}>
      <h2>
        <Icon name={icon} /> {title} <span className="count-pill">{count}</span>
      </h2>
      {count === 0 ? <p className="muted">{t('dashboard.empty')}</p> : children}
    </section>
  );
}

function DashboardCards({ dashboard }: { dashboard: Dashboard }) {
  const { t, lang, locale } = useI18n();
  const text = useTextContext();
  const title = (x: { title: Record<string, string | null | undefined> } | null) => (x ? localized(x.title, lang) : '');
  const deals = dashboard.deals.reduce((n, g) => n + g.count, 0);
  const dealStatus = (status: string) => {
    const key = keyFor('deal.status', status);
    return key ? t(key) : status;
  };
  return (
    <div className="dashboard-grid">
      <Card icon="clock" title={t('dashboard.offersAwaitingMe')} count={dashboard.offersAwaitingMe.length} testId="dash-awaiting">
        <OfferList offers={dashboard.offersAwaitingMe} />
      </Card>
      <Card icon="arrow" title={t('dashboard.myOpenOffers')} count={dashboard.myOpenOffers.length} testId="dash-my-offers">
        <OfferList offers={dashboard.myOpenOffers} />
      </Card>
      <Card icon="search" title={t('dashboard.newMatches')} count={dashboard.newMatches.length} testId="dash-matches">
        <ul>
          {dashboard.newMatches.map((m) => (
            <li key={`${m.buyRequestId}-${m.listing?.id}`}>
              <Link to={m.side === 'buyer' ? `/buy-requests/${encodeURIComponent(m.buyRequestId)}` : `/listings/${encodeURIComponent(m.listing?.id ?? '')}`}>
                {title(m.listing) || text.commodity?.(m.categoryKey)}
              </Link>{' '}
              <span className="muted small">
                {t(m.side === 'buyer' ? 'dashboard.matchBuyer' : 'dashboard.matchSeller')} · {t('dashboard.score', { n: m.score })}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <Card icon="box" title={t('dashboard.deals')} count={deals} testId="dash-deals">
        <ul>
          {dashboard.deals.map((g) =>
            g.items.map((d) => (
              <li key={d.id} data-status={g.status}>
                <span className="badge">{dealStatus(g.status)}</span>{' '}
                <Link to={`/deals/${encodeURIComponent(d.id)}`}>{title(d.listing)}</Link> · {formatMoney(d.total, locale)}
                <div className="small">
                  <strong>{t(nextActionKeys[d.nextAction] ?? 'dashboard.next.none')}</strong>
                  {d.counterparty && <span className="muted"> · {d.counterparty.name}</span>}
                </div>
              </li>
            )),
          )}
        </ul>
      </Card>
      <Card icon="chat" title={t('dashboard.unreadRooms')} count={dashboard.unreadRooms.length} testId="dash-rooms">
        <ul>
          {dashboard.unreadRooms.map((r) => (
            <li key={r.roomId}>
              <Link to={`/negotiations/${encodeURIComponent(r.roomId)}`}>{title(r.listing)}</Link>{' '}
              <span className="muted small">
                {r.counterparty?.name} · {t('dashboard.unread', { n: r.unread })}
              </span>
            </li>
          ))}
        </ul>
      </Card>
      <Card icon="alert" title={t('dashboard.expiringListings')} count={dashboard.expiringListings.length} testId="dash-expiring">
        <ul>
          {dashboard.expiringListings.map((l) => (
            <li key={l.id}>
              <Link to={`/listings/${encodeURIComponent(l.id)}`}>{localized(l.title, lang)}</Link>{' '}
              <span className="muted small">{t('dashboard.daysLeft', { n: l.daysLeft })}</span>
            </li>
          ))}
        </ul>
      </Card>
      <Card icon="box" title={t('dashboard.lowStock')} count={dashboard.lowStock.length} testId="dash-low-stock">
        <ul>
          {dashboard.lowStock.map((l) => (
            <li key={l.id}>
              <Link to={`/listings/${encodeURIComponent(l.id)}`}>{localized(l.title, lang)}</Link>
              <div className="muted small">
                {t('dashboard.available', {
                  available: formatQuantity({ value: l.available, unit: l.minOrder.unit }, locale, t),
                  minOrder: formatQuantity(l.minOrder, locale, t),
                })}
              </div>
            </li>
          ))}
        </ul>
      </Card>
      <Card icon="live" title={t('dashboard.upcomingSessions')} count={dashboard.upcomingSessions.length} testId="dash-sessions">
        <UpcomingSessions sessions={dashboard.upcomingSessions} testId="dash-session-list" />
      </Card>
    </div>
  );
}

function OfferList({ offers }: { offers: DashboardOffer[] }) {
  const { t, lang, locale } = useI18n();
  return (
    <ul>
      {offers.map((o) => (
        <li key={o.offerId} data-testid="dash-offer">
          <Link to={`/negotiations/${encodeURIComponent(o.roomId)}`}>{o.listing ? localized(o.listing.title, lang) : t(o.counter ? 'dashboard.counter' : 'dashboard.offer')}</Link>
          <div className="small">
            {t(o.counter ? 'dashboard.counter' : 'dashboard.offer')}: {formatPrice(o.price, locale, t)} · {formatQuantity(o.quantity, locale, t)}
          </div>
          <div className="muted small">
            {o.counterparty?.name} · <Icon name="clock" /> {t('dashboard.timeLeft', { time: timeLeftText(o.secondsLeft, t) })}
          </div>
        </li>
      ))}
    </ul>
  );
}

