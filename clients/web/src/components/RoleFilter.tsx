import type { Side } from '../api';
import { useI18n } from '../i18n';
import { Link } from '../router';

/** The side a list is narrowed to, from ?role= (anything else means both). */
export function roleOf(value: string | null): Side | null {
  return value === 'buyer' || value === 'seller' ? value : null;
}

/** All / as buyer / as seller, kept in the address as ?role=. */
export function RoleFilter({ path, role }: { path: string; role: Side | null }) {
  const { t } = useI18n();
  return (
    <nav className="toolbar-group role-filter" aria-label={t('negotiation.roleFilter')}>
      {([null, 'buyer', 'seller'] as const).map((r) => (
        <Link
          key={r ?? 'all'}
          to={r ? `${path}?role=${r}` : path}
          className={`button button-small${role === r ? ' button-primary' : ''}`}
          aria-current={role === r ? 'page' : undefined}
          data-testid={`role-${r ?? 'all'}`}
        >
          {t(r === null ? 'negotiation.all' : r === 'buyer' ? 'negotiation.asBuyer' : 'negotiation.asSeller')}
        </Link>
      ))}
    </nav>
  );
}
