import { useEffect, useState } from 'react';
import { api, type Notification } from '../../api';
import { formatDateTime } from '../../format';
import { useI18n } from '../../i18n';
import { createHubConnection } from '../../hooks/realtime';
import { navigate } from '../../router';


/** Unread notifications of the signed-in user: loaded once, then pushed live over /hubs/notifications. */
export function NotificationBell() {
  const { t, locale } = useI18n();
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let live = true;
    api.notifications(20)
      .then((page) => {
        if (!live) return;
        setItems(page.items);
        setUnread(page.unread);
      })
      .catch(() => undefined);
    const connection = createHubConnection('/hubs/notifications');
    connection.on('Notification', (n: Notification) => {
      setItems((previous) => [n, ...previous].slice(0, 20));
      setUnread((u) => u + 1);
    });
    connection.start().catch(() => undefined);
    return () => {
      live = false;
      void connection.stop();
    };
  }, []);

  async function openOne(n: Notification) {
    setOpen(false);
    if (!n.readAt) {
      setUnread((u) => Math.max(0, u - 1));
      setItems((previous) => previous.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)));
      await api.markNotificationRead(n.id).catch(() => undefined);
    }
    navigate(n.link);
  }

  return (
    <div className="notification-bell">
      <button type="button" className="button button-small button-ghost" aria-expanded={open} onClick={() => setOpen(!open)} title={t('notifications.title')}>
        🔔 <span data-testid="notifications-badge">{unread}</span>
      </button>
      {open && (
        <ul className="notification-list panel">
          {items.length === 0 && <li className="muted">{t('notifications.empty')}</li>}
          {items.map((n) => (
            <li key={n.id} data-testid="notification-row" className={n.readAt ? 'muted' : 'strong'}>
              <button type="button" className="link-button" onClick={() => void openOne(n)}>
                {n.title}
              </button>
              <div className="muted">
                {n.body} · {formatDateTime(n.createdAt, locale)}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
