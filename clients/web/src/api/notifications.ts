import { enc } from './common';
import { request } from './client';

export type Notification = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string;
  createdAt: string;
  readAt: string | null;
};

export const notificationsApi = {
  notifications: (limit: number, signal?: AbortSignal) =>
    request<{ items: Notification[]; unread: number }>('/api/notifications', { query: { limit }, signal }),
  markNotificationRead: (id: string) => request<void>(`/api/notifications/${enc(id)}/read`, { method: 'POST' }),
};
