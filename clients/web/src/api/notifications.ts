import { enc } from './common';
import { request } from './client';

/** A text the server made for people: render `code` with `params` in the user's language; `text` is the English. */
export type ServerText = { code: string; params: Record<string, string>; text: string };

export type Notification = {
  id: string;
  kind: string;
  /** Null for notices stored before codes: show `title` and `body` as they are. */
  code: string | null;
  params: Record<string, string>;
  text: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt: string | null;
};

export type MailMode = 'inapp' | 'immediate' | 'digest';
export type Preferences = { language: 'en' | 'ru' | 'zh'; mail: MailMode };

export const notificationsApi = {
  notifications: (limit: number, signal?: AbortSignal, unread?: boolean) =>
    request<{ items: Notification[]; unread: number; nextCursor?: string | null }>('/api/notifications', {
      query: { limit, unread: unread ? 'true' : undefined },
      signal,
    }),
  markNotificationRead: (id: string) => request<{ unread: number }>(`/api/notifications/${enc(id)}/read`, { method: 'POST' }),
  markAllNotificationsRead: () => request<{ unread: number }>('/api/notifications/read-all', { method: 'POST' }),
  preferences: (signal?: AbortSignal) => request<Preferences>('/api/me/preferences', { signal }),
  savePreferences: (preferences: Preferences) => request<Preferences>('/api/me/preferences', { method: 'PUT', body: preferences }),
};
