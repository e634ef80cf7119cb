import type { OrganizationSelection } from '../hooks/organizationSelection';
import { useT } from '../i18n';
import { Link } from '../router';
import { Field } from './Field';

/** The organization select of the listings and warehouse pages (shown when the user has more than one). */
export function OrganizationPicker({ selection }: { selection: OrganizationSelection }) {
  const t = useT();
  const { organizations, selectedId, select } = selection;
  if (organizations.length < 2 || !selectedId) return null;
  return (
    <Field id="org-select" label={t('org.select')} className="field-inline org-selector">
      <select id="org-select" data-testid="org-select" value={selectedId} onChange={(e) => select(e.target.value)}>
        {organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Shown instead of a page that needs an organization when the user has none. */
export function NoOrganization() {
  const t = useT();
  return (
    <div className="panel">
      <p data-testid="no-organization">{t('org.none')}</p>
      <Link to="/organization/new" className="button button-primary" data-testid="cta-create-org">
        {t('home.cta.createOrg')}
      </Link>
    </div>
  );
}
