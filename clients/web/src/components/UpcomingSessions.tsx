import type { LiveSessionCard } from '../api';
import { countryName } from '../countries';
import { formatDateTime, localized } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../router';

/** Live sessions coming up (live ones first): title in the viewer's language, country, start in local time, a link to the session. */
export function UpcomingSessions({ sessions, testId }: { sessions: readonly LiveSessionCard[]; testId: string }) {
  const { t, lang, locale } = useI18n();
  return (
    <ul data-testid={testId}>
      {sessions.map((s) => (
        <li key={s.id} data-testid="upcoming-session" data-session-id={s.id}>
          <Link to={`/live/${encodeURIComponent(s.id)}`}>{localized(s.title, lang)}</Link>
          {s.status === 'live' && <span className="badge badge-live">{t('live.status.live')}</span>}
          <div className="muted small">
            {countryName(s.countryCode, locale)} · <time dateTime={s.startsAt}>{formatDateTime(s.startsAt, locale)}</time>
          </div>
        </li>
      ))}
    </ul>
  );
}
