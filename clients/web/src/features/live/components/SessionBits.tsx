import { useState } from 'react';
import { api, type LiveSession, type LiveSessionStatus } from '../../../api';
import { useAuth } from '../../../auth';
import { FormErrors } from '../../../components/FormErrors';
import { errorMessages } from '../../../errors';
import { formatCount } from '../../../format';
import { useI18n, type MessageKey } from '../../../i18n';
import { Link } from '../../../router';

const statusKeys: Record<LiveSessionStatus, MessageKey> = {
  scheduled: 'live.status.scheduled',
  live: 'live.status.live',
  ended: 'live.status.ended',
  cancelled: 'live.status.cancelled',
};

export function LiveStatusBadge({ status }: { status: LiveSessionStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-live-${status}`} data-testid="live-status" data-status={status}>
      {t(statusKeys[status] ?? 'live.status.scheduled')}
    </span>
  );
}

/** Register (or not) for a coming session, and take it into a calendar as an .ics file. */
export function RegisterBox({ session, onChange }: { session: LiveSession; onChange?: (s: LiveSession) => void }) {
  const { t, locale } = useI18n();
  const { me } = useAuth();
  const [state, setState] = useState({ registered: session.registered, registrants: session.registrants });
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function toggle() {
    setBusy(true);
    setErrors([]);
    try {
      const r = state.registered ? await api.unregisterFromLiveSession(session.id) : await api.registerForLiveSession(session.id);
      setState({ registered: r.registered, registrants: r.registrants });
      onChange?.({ ...session, registered: r.registered, registrants: r.registrants });
    } catch (e) {
      setErrors(errorMessages(e, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="toolbar-group live-register" data-testid="register-box">
      {me ? (
        !session.isHost && (
          <button
            type="button"
            className={state.registered ? 'button' : 'button button-primary'}
            data-testid="register-button"
            data-registered={state.registered}
            disabled={busy}
            onClick={() => void toggle()}
          >
            {state.registered ? t('live.unregister') : t('live.register')}
          </button>
        )
      ) : (
        <Link to={`/signin?next=${encodeURIComponent(`/live/${session.id}`)}`} className="button button-primary">
          {t('live.registerSignIn')}
        </Link>
      )}
      <a className="button button-ghost" href={api.liveSessionCalendarUrl(session.id)} download data-testid="calendar-link">
        {t('live.addToCalendar')}
      </a>
      <span className="muted small" data-testid="registrants">
        {t('live.registrants', { n: formatCount(state.registrants, locale) })}
      </span>
      {state.registered && <span className="badge badge-verified">{t('live.registered')}</span>}
      <FormErrors messages={errors} />
    </div>
  );
}
