// Which of the user's organizations the pages work for: the one in ?org=, else the last one opened
// (also remembered by the organization page), else the first.
import type { Me, MyOrganization, OrgRole } from '../api';
import { useAuth } from '../auth';
import { navigate, useLocation } from '../router';

const lastOrgKey = 'scoda.lastOrganization';

export function rememberOrganization(id: string): void {
  try {
    localStorage.setItem(lastOrgKey, id);
  } catch {
    // ignore
  }
}

export function lastOrganization(): string | null {
  try {
    return localStorage.getItem(lastOrgKey);
  } catch {
    return null;
  }
}

/** The user's role in an organization, undefined when not a member. */
export function roleIn(me: Me | null | undefined, organizationId: string | null | undefined): OrgRole | undefined {
  if (!organizationId) return undefined;
  return me?.organizations?.find((o) => o.id === organizationId)?.role;
}

/** Owners and traders list goods, record stock movements and add warehouses; viewers only look. */
export function canTrade(me: Me | null | undefined, organizationId: string | null | undefined): boolean {
  const role = roleIn(me, organizationId);
  return role === 'owner' || role === 'trader';
}

export type OrganizationSelection = {
  organizations: MyOrganization[];
  selected: MyOrganization | undefined;
  selectedId: string | undefined;
  /** Switches to another organization (kept in the address as ?org= and remembered). */
  select: (id: string) => void;
};

export function useOrganizationSelection(): OrganizationSelection {
  const { me } = useAuth();
  const { path, query } = useLocation();
  const organizations = me?.organizations ?? [];
  const wanted = query.get('org');
  const selected =
    organizations.find((o) => o.id === wanted) ??
    organizations.find((o) => o.id === lastOrganization()) ??
    organizations[0];

  function select(id: string) {
    rememberOrganization(id);
    const next = new URLSearchParams(query);
    next.set('org', id);
    navigate(`${path}?${next.toString()}`, { replace: true });
  }

  return { organizations, selected, selectedId: selected?.id, select };
}
