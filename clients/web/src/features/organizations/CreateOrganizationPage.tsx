import { api } from '../../api';
import { useAuth } from '../../auth';
import { OrganizationForm } from './components/OrganizationForm';
import { useT } from '../../i18n';
import { navigate } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';

/** Registers a new organization, then opens its page. */
export function CreateOrganizationPage({ first = false }: { first?: boolean }) {
  const t = useT();
  const { refresh } = useAuth();
  const title = first ? t('org.create.firstTitle') : t('org.create.title');
  usePageTitle(title);

  return (
    <div className="page narrow">
      <h1>{title}</h1>
      <p className="lead">{t('org.create.intro')}</p>
      <OrganizationForm
        submitLabel={t('org.create.submit')}
        onSubmit={async (input) => {
          const org = await api.createOrganization(input);
          await refresh().catch(() => null);
          navigate(org?.id ? `/organization/${encodeURIComponent(org.id)}` : '/organization', { replace: true });
        }}
      />
    </div>
  );
}
