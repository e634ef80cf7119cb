import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, type Me } from './api';

type AuthValue = {
  /** undefined while the first /api/me is in flight, null when signed out. */
  me: Me | null | undefined;
  isStaff: boolean;
  refresh: () => Promise<Me | null>;
  signIn: (email: string, password: string) => Promise<Me | null>;
  signOut: () => Promise<void>;
};

const AuthContext = createContext<AuthValue | null>(null);

const staffRoles = ['admin', 'moderator'];

export function isStaff(me: Me | null | undefined): boolean {
  return !!me?.roles?.some((r) => staffRoles.includes(r.toLowerCase()));
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      const current = await api.me();
      const normalized: Me = { ...current, roles: current.roles ?? [], organizations: current.organizations ?? [] };
      setMe(normalized);
      return normalized;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404 || e.isNetworkError)) {
        setMe(null);
        return null;
      }
      setMe(null);
      throw e;
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => undefined);
  }, [refresh]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await api.login(email, password);
      return refresh();
    },
    [refresh],
  );

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setMe(null);
    }
  }, []);

  const value = useMemo<AuthValue>(
    () => ({ me, isStaff: isStaff(me), refresh, signIn, signOut }),
    [me, refresh, signIn, signOut],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth must be used inside <AuthProvider>');
  return ctx;
}
