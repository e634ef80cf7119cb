import { request } from './client';
import type { MyOrganization } from './organizations';

export type Me = {
  id: string;
  email: string;
  emailConfirmed: boolean;
  roles: string[];
  /** The country an ambassador presents (the Ambassador role only). */
  ambassadorCountryCode?: string | null;
  organizations: MyOrganization[];
  /** How others see the person in live chat and questions; null when they set none. */
  displayName?: string | null;
};

export const accountsApi = {
  register: (email: string, password: string) =>
    request<void>('/api/auth/register', { method: 'POST', body: { email, password } }),
  login: (email: string, password: string) =>
    request<void>('/api/auth/login', { method: 'POST', query: { useCookies: true }, body: { email, password } }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', body: {} }),
  me: (signal?: AbortSignal) => request<Me>('/api/me', { signal }),
  setDisplayName: (displayName: string | null) =>
    request<{ displayName: string | null }>('/api/me/display-name', { method: 'PUT', body: { displayName } }),
};
