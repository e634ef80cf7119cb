// One shared connection to /hubs/notifications per tab: the bell and any page that wants to hear of new
// notifications (a buy request's match panel, a listing's) subscribe here instead of opening their own.
import type { HubConnection } from '@microsoft/signalr';
import type { Notification } from '../../api';
import { createHubConnection } from '../../hooks/realtime';

type Listeners = { notification: Set<(n: Notification) => void>; unread: Set<(count: number) => void> };

const listeners: Listeners = { notification: new Set(), unread: new Set() };
let connection: HubConnection | null = null;

function ensureConnection() {
  if (connection) return;
  const c = createHubConnection('/hubs/notifications');
  c.on('Notification', (n: Notification) => listeners.notification.forEach((l) => l(n)));
  c.on('Unread', (u: { unread: number }) => listeners.unread.forEach((l) => l(u.unread)));
  c.start().catch(() => undefined);
  connection = c;
}

function releaseIfIdle() {
  if (connection && listeners.notification.size === 0 && listeners.unread.size === 0) {
    void connection.stop();
    connection = null;
  }
}

/** Calls `listener` for every notification pushed to the signed-in user; returns the unsubscribe. */
export function onNotification(listener: (n: Notification) => void): () => void {
  listeners.notification.add(listener);
  ensureConnection();
  return () => {
    listeners.notification.delete(listener);
    releaseIfIdle();
  };
}

/** Calls `listener` with the unread count whenever a read elsewhere (another tab, read-all) changes it. */
export function onUnreadCount(listener: (count: number) => void): () => void {
  listeners.unread.add(listener);
  ensureConnection();
  return () => {
    listeners.unread.delete(listener);
    releaseIfIdle();
  };
}
