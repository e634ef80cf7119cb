import { useEffect, useMemo, useState } from 'react';
import { api, type LiveSession, type LiveSessionFilter } from '../../api';
import { useAuth } from '../../auth';
import { Field } from '../../components/Field';
import { FormErrors } from '../../components/FormErrors';
import { CountrySelect } from '../../components/CountrySelect';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { formatDateTime, formatMonthYear, formatTime, localized, toDateInput, weekdayNames } from '../../format';
import { usePagedList } from '../../hooks/usePagedList';
import { usePageTitle } from '../../hooks/usePageTitle';
import { useI18n, type MessageKey } from '../../i18n';
import { Link, navigate, useLocation } from '../../router';
import { leavesOf, useCategories } from '../../taxonomy';
import { LiveStatusBadge, RegisterBox } from './components/SessionBits';
import { byDay, monthGrid, shiftMonth } from './liveBoard';

const tabs: { key: LiveSessionFilter; label: MessageKey }[] = [
  { key: 'upcoming', label: 'live.tab.upcoming' },
  { key: 'live', label: 'live.tab.live' },
  { key: 'ended', label: 'live.tab.past' },
];

function tabOf(value: string | null): LiveSessionFilter {
  return value === 'live' || value === 'ended' ? value : 'upcoming';
}

/** The address of the list with one setting changed (the filters live in the query, so a link shares them). */
function withQuery(query: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v) next.set(k, v);
    else next.delete(k);
  }
  const text = next.toString();
  return text ? `/live?${text}` : '/live';
}

export function isAmbassador(roles: readonly string[] | undefined): boolean {
  return !!roles?.some((r) => r.toLowerCase() === 'ambassador');
}

/** Upcoming, live and past sessions (by country and commodity), as a list or a month calendar. */
export function LiveSessionsPage() {
  const { t, lang, locale } = useI18n();
  const { me } = useAuth();
  const { query } = useLocation();
  const tab = tabOf(query.get('status'));
  const country = query.get('country') ?? '';
  const category = query.get('category') ?? '';
  const view = query.get('view') === 'calendar' ? 'calendar' : 'list';
  const { categories } = useCategories();
  const commodities = useMemo(() => (categories ? leavesOf(categories).map((l) => l.leaf) : []), [categories]);
  usePageTitle(t('live.title'));

  return (
    <div className="page">
      <div className="page-toolbar">
        <div className="page-header">
          <h1>{t('live.title')}</h1>
          <p className="muted">{t('live.lead')}</p>
        </div>
        {isAmbassador(me?.roles) && (
          <Link to="/live/new" className="button button-primary" data-testid="live-schedule">
            {t('live.schedule')}
          </Link>
        )}
      </div>
      <div className="page-toolbar">
        {/* The calendar shows every status at once; the tabs belong to the list. */}
        <div className="tabs" role="tablist" hidden={view === 'calendar'}>
          {tabs.map((x) => (
            <Link
              key={x.key}
              to={withQuery(query, { status: x.key === 'upcoming' ? null : x.key })}
              className="tab"
              role="tab"
              aria-selected={tab === x.key}
              data-testid={`live-tab-${x.key}`}
            >
              {t(x.label)}
            </Link>
          ))}
        </div>
        <div className="toolbar-group">
          <Field id="live-country" label={t('live.filter.country')} className="field-inline">
            <CountrySelect
              id="live-country"
              data-testid="live-filter-country"
              value={country}
              onChange={(e) => navigate(withQuery(query, { country: e.target.value || null }))}
            />
          </Field>
          <Field id="live-category" label={t('live.filter.commodity')} className="field-inline">
            <select
              id="live-category"
              data-testid="live-filter-category"
              value={category}
              onChange={(e) => navigate(withQuery(query, { category: e.target.value || null }))}
            >
              <option value="">{t('live.filter.any')}</option>
              {commodities.map((c) => (
                <option key={c.key} value={c.key}>
                  {localized(c.name, lang)}
                </option>
              ))}
            </select>
          </Field>
          <Link to={withQuery(query, { view: view === 'list' ? 'calendar' : null })} className="button button-small" data-testid="live-view-toggle">
            {view === 'list' ? t('live.view.calendar') : t('live.view.list')}
          </Link>
        </div>
      </div>
      {view === 'list' ? (
        <SessionList status={tab} country={country} category={category} />
      ) : (
        <SessionCalendar country={country} category={category} locale={locale} />
      )}
    </div>
  );
}

function SessionList({ status, country, category }: { status: LiveSessionFilter; country: string; category: string }) {
  const { t, lang, locale } = useI18n();
  const list = usePagedList(
    (cursor, signal) => api.liveSessions({ status, country: country || undefined, category: category || undefined, cursor, limit: 20 }, signal),
    `${status}|${country}|${category}`,
  );
  return (
    <>
      <FormErrors messages={list.errors} />
      {list.items === null && list.errors.length === 0 && <p className="muted">{t('app.loading')}</p>}
      {list.items?.length === 0 && (
        <p className="panel muted" data-testid="live-empty">
          {t('live.none')}
        </p>
      )}
      <ul className="plain-list live-cards">
        {list.items?.map((s) => (
          <li key={s.id} className="panel live-card" data-testid="live-session-row" data-session-id={s.id}>
            <div className="title-row">
              <Link to={`/live/${encodeURIComponent(s.id)}`} className="strong" data-testid="live-session-link">
                {localized(s.title, lang)}
              </Link>
              <LiveStatusBadge status={s.status} />
            </div>
            <p className="muted small">
              {countryName(s.countryCode, locale)} · {formatDateTime(s.startsAt, locale)} – {formatDateTime(s.endsAt, locale)} ·{' '}
              {t('live.featuredCount', { n: s.featuredListings.length })}
            </p>
            {s.status === 'scheduled' && <RegisterBox session={s} />}
            {s.status === 'ended' && s.replayUrl && (
              <Link to={`/live/${encodeURIComponent(s.id)}`}>{t('live.watchReplay')}</Link>
            )}
          </li>
        ))}
      </ul>
      {list.loading && <p className="muted">{t('app.loading')}</p>}
      {list.hasMore && !list.loading && (
        <div className="form-actions">
          <button type="button" className="button" onClick={() => void list.more()}>
            {t('live.more')}
          </button>
        </div>
      )}
    </>
  );
}

/** All sessions (upcoming, live and past) of a month, on the days they start in the user's time zone. */
function SessionCalendar({ country, category, locale }: { country: string; category: string; locale: string }) {
  const { t, lang } = useI18n();
  const today = toDateInput(new Date().toISOString());
  const [month, setMonth] = useState(() => ({ year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) }));
  const [sessions, setSessions] = useState<LiveSession[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);

  // The three lists together, a few pages each: a month rarely holds more than a hundred sessions.
  useEffect(() => {
    const controller = new AbortController();
    const filters = { country: country || undefined, category: category || undefined, limit: 100 };
    Promise.all((['upcoming', 'live', 'ended'] as const).map((status) => api.liveSessions({ ...filters, status }, controller.signal)))
      .then((pages) => setSessions(pages.flatMap((p) => p.items)))
      .catch((e: unknown) => !controller.signal.aborted && setErrors(errorMessages(e, t)));
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [country, category]);

  const weeks = monthGrid(month.year, month.month);
  const days = byDay(sessions ?? [], (s) => toDateInput(s.startsAt));
  const names = weekdayNames(locale);
  return (
    <section className="panel" data-testid="live-calendar">
      <div className="panel-header">
        <button type="button" className="button button-small" aria-label={t('live.calendar.previous')} onClick={() => setMonth(shiftMonth(month.year, month.month, -1))}>
          ‹
        </button>
        <h2 data-testid="live-calendar-month">{formatMonthYear(month.year, month.month, locale)}</h2>
        <button type="button" className="button button-small" aria-label={t('live.calendar.next')} onClick={() => setMonth(shiftMonth(month.year, month.month, 1))}>
          ›
        </button>
      </div>
      <FormErrors messages={errors} />
      <table className="live-calendar">
        <thead>
          <tr>
            {names.map((n) => (
              <th key={n} scope="col">
                {n}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]!.date}>
              {week.map((d) => (
                <td key={d.date} className={`${d.inMonth ? '' : 'muted'}${d.date === today ? ' live-today' : ''}`} data-date={d.date}>
                  <div className="small">{Number(d.date.slice(8))}</div>
                  {(days.get(d.date) ?? []).map((s) => (
                    <Link key={s.id} to={`/live/${encodeURIComponent(s.id)}`} className={`live-calendar-item badge-live-${s.status}`} data-testid="calendar-session" title={localized(s.title, lang)}>
                      {formatTime(s.startsAt, locale)} {localized(s.title, lang)}
                    </Link>
                  ))}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
