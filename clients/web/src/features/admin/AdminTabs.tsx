import { useT } from '../../i18n';
import { Link } from '../../router';

/** The admin desks: verification of organizations, and payments. */
export function AdminTabs({ current }: { current: 'verification' | 'payments' }) {
  const t = useT();
  const tabs = [
    { key: 'verification', to: '/admin', label: t('admin.title'), testId: 'admin-tab-verification' },
    { key: 'payments', to: '/admin/payments', label: t('adminPay.title'), testId: 'admin-tab-payments' },
  ] as const;
  return (
    <nav className="role-filter" aria-label={t('nav.admin')}>
      {tabs.map((tab) => (
        <Link
          key={tab.key}
          to={tab.to}
          className={`button button-small ${tab.key === current ? 'button-primary' : 'button-ghost'}`}
          data-testid={tab.testId}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
