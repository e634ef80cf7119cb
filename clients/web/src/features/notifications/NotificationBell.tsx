import { useEffect, useRef, useState } from 'react';
import { api, type MailMode, type Notification } from '../../api';
import { Icon } from '../../components/Icon';
import { formatCount, formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { useTextContext } from '../../hooks/useTextContext';
import { navigate } from '../../router';
import { renderNotification } from '../../serverText';
import { onNotification, onUnreadCount } from './live';

const mailModes: readonly MailMode[] = ['inapp', 'immediate', 'digest'];

/** Notifications of the signed-in user: loaded once, then pushed live; reading lowers the count everywhere. */
export function NotificationBell() {
  const { t, locale, lang } = useI18n();
  const text = useTextContext();
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [mail, setMail] = useState<MailMode | null>(null);
  const [saved, setSaved] = useState(false);

  // Read on mount and again each time the list is opened, so a missed push or a failed first read heals itself.
  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current && !open) return; // closing (after a read) keeps what the read answered
    loaded.current = true;
    const controller = new AbortController();
    api
      .notifications(20, controller.signal)
      .then((page) => {
        setItems(page.items);
        setUnread(page.unread);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [open]);

  useEffect(() => {
    const stopNotifications = onNotification((n) => {
      setItems((previous) => [n, ...previous.filter((x) => x.id !== n.id)].slice(0, 20));
      setUnread((u) => u + 1);
    });
    const stopUnread = onUnreadCount((count) => {
      setUnread(count);
      if (count === 0) setItems((previous) => previous.map((x) => (x.readAt ? x : { ...x, readAt: new Date().toISOString() })));
    });
    return () => {
      stopNotifications();
      stopUnread();
    };
  }, []);

  useEffect(() => {
    if (!open || mail !== null) return;
    const controller = new AbortController();
    api
      .preferences(controller.signal)
      .then((p) => setMail(p.mail))
      .catch(() => undefined);
    return () => controller.abort();
  }, [open, mail]);

  async function openOne(n: Notification) {
    setOpen(false);
    if (!n.readAt) {
      setUnread((u) => Math.max(0, u - 1));
      setItems((previous) => previous.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)));
      const answer = await api.markNotificationRead(n.id).catch(() => null);
      if (answer) setUnread(answer.unread);
    }
    navigate(n.link);
  }

  async function readAll() {
    setUnread(0);
    setItems((previous) => previous.map((x) => (x.readAt ? x : { ...x, readAt: new Date().toISOString() })));
    await api.markAllNotificationsRead().catch(() => undefined);
  }

  async function chooseMail(mode: MailMode) {
    setMail(mode);
    setSaved(false);
    await api
      .savePreferences({ language: lang, mail: mode })
      .then(() => setSaved(true))
      .catch(() => undefined);
  }

  return (
    <div className="notification-bell">
      <button
        type="button"
        className="button button-small button-ghost bell-button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        title={t('notifications.open', { n: formatCount(unread, locale) })}
        aria-label={t('notifications.open', { n: formatCount(unread, locale) })}
        data-testid="notifications-bell"
      >
        <Icon name="bell" />
        <span className={`bell-count${unread > 0 ? ' bell-count-unread' : ''}`} data-testid="notifications-badge">
          {unread}
        </span>
      </button>
      {open && (
        <div className="notification-list panel" data-testid="notifications-panel">
          <div className="notification-head">
            <strong>{t('notifications.title')}</strong>
            <button type="button" className="link-button" onClick={() => void readAll()} disabled={unread === 0} data-testid="notifications-read-all">
              <Icon name="check" /> {t('notifications.markAllRead')}
            </button>
          </div>
          <ul>
            {items.length === 0 && <li className="muted">{t('notifications.empty')}</li>}
            {items.map((n) => (
              <li key={n.id} data-testid="notification-row" data-code={n.code ?? undefined} className={n.readAt ? 'muted' : 'strong'}>
                <button type="button" className="link-button" onClick={() => void openOne(n)}>
                  {renderNotification(n, text)}
                </button>
                <div className="muted small">
                  {n.code === null && n.body ? `${n.body} · ` : ''}
                  {formatDateTime(n.createdAt, locale)}
                </div>
              </li>
            ))}
          </ul>
          <label className="notification-mail">
            <span>{t('notifications.mail')}</span>{' '}
            <select value={mail ?? 'inapp'} disabled={mail === null} onChange={(e) => void chooseMail(e.target.value as MailMode)} data-testid="notifications-mail">
              {mailModes.map((m) => (
                <option key={m} value={m}>
                  {t(`notifications.mail.${m}`)}
                </option>
              ))}
            </select>
            {saved && <span className="muted small"> {t('notifications.saved')}</span>}
          </label>
        </div>
      )}
    </div>
  );
}
