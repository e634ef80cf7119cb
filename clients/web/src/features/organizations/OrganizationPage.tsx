import { useEffect, useState } from 'react';
import { api, type Organization, type OrgKind, type OrgRole } from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { OrganizationForm } from './components/OrganizationForm';
import { StatusBadge } from '../../components/StatusBadge';
import { VerificationForm } from './components/VerificationForm';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { formatDate, formatDateTime } from '../../format';
import { useI18n, type MessageKey, useStableT } from '../../i18n';
import { lastOrganization, rememberOrganization } from '../../hooks/organizationSelection';
import { Link, navigate } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { CreateOrganizationPage } from './CreateOrganizationPage';
import { Field } from '../../components/Field';

const kindKey: Record<OrgKind, MessageKey> = {
  exporter: 'org.kind.exporter',
  importer: 'org.kind.importer',
  both: 'org.kind.both',
};
const roleKey: Record<OrgRole, MessageKey> = {
  owner: 'org.role.owner',
  trader: 'org.role.trader',
  viewer: 'org.role.viewer',
};

/** "My organization": details, members and verification of one of the user's organizations. */
export function OrganizationPage({ id }: { id?: string }) {
  const { t, locale } = useI18n();
  const stableT = useStableT();
  const { me, refresh } = useAuth();
  const mine = me?.organizations ?? [];
  const selectedId = id ?? mine.find((o) => o.id === lastOrganization())?.id ?? mine[0]?.id;

  const [org, setOrg] = useState<Organization | null>(null);
  const [loadErrors, setLoadErrors] = useState<string[]>([]);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<MessageKey | null>(null);

  usePageTitle(org?.name ?? t('org.page.title'));

  useEffect(() => {
    if (!selectedId) return;
    const controller = new AbortController();
    setOrg(null);
    setLoadErrors([]);
    setEditing(false);
    setNotice(null);
    rememberOrganization(selectedId);
    api
      .organization(selectedId, controller.signal)
      .then(setOrg)
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setLoadErrors([stableT('org.loadFailed'), ...errorMessages(err, stableT)]);
      });
    return () => controller.abort();
    // t is left out on purpose: changing the language must not reload the organization.
  }, [selectedId, stableT]);

  if (!selectedId) return <CreateOrganizationPage first />;

  const myRole = mine.find((o) => o.id === selectedId)?.role;
  const isOwner = myRole === 'owner';
  const status = org?.verification?.status ?? 'unverified';

  const selector =
    mine.length > 1 ? (
      <Field id="org-select" label={t('org.select')} className="field-inline org-selector">
        <select
          id="org-select"
          data-testid="org-select"
          value={selectedId}
          onChange={(e) => navigate(`/organization/${encodeURIComponent(e.target.value)}`)}
        >
          {!mine.some((o) => o.id === selectedId) && <option value={selectedId}>{org?.name ?? selectedId}</option>}
          {mine.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </Field>
    ) : null;

  return (
    <div className="page">
      <div className="page-toolbar">
        {selector}
        <Link to="/organization/new" className="button button-small" data-testid="org-create-another">
          {t('org.create.another')}
        </Link>
      </div>

      {!org && loadErrors.length === 0 && (
        <>
          <h1>{t('org.page.title')}</h1>
          <p className="muted">{t('app.loading')}</p>
        </>
      )}
      {!org && loadErrors.length > 0 && (
        <>
          <h1>{t('org.page.title')}</h1>
          <FormErrors messages={loadErrors} />
        </>
      )}

      {org && (
        <>
          <div className="page-header">
            <p className="eyebrow">{t('org.page.title')}</p>
            <div className="title-row">
              <h1 data-testid="org-title">{org.name}</h1>
              <StatusBadge status={status} testId="org-verification-status" />
            </div>
          </div>
          {notice && (
            <p className="notice notice-success" role="status" data-testid="org-notice">
              {t(notice)}
            </p>
          )}

          <div className="grid-2">
            <section className="panel">
              <div className="panel-header">
                <h2>{editing ? t('org.edit.title') : t('org.details')}</h2>
                {isOwner && !editing && (
                  <button
                    type="button"
                    className="button button-small"
                    data-testid="org-edit"
                    onClick={() => {
                      setNotice(null);
                      setEditing(true);
                    }}
                  >
                    {t('org.edit.open')}
                  </button>
                )}
              </div>
              {editing ? (
                <OrganizationForm
                  initial={org}
                  submitLabel={t('org.edit.submit')}
                  onCancel={() => setEditing(false)}
                  onSubmit={async (input) => {
                    const updated = await api.updateOrganization(org.id, input);
                    setOrg(updated && updated.id ? updated : { ...org, ...input });
                    setEditing(false);
                    setNotice('org.edit.saved');
                    await refresh().catch(() => null);
                  }}
                />
              ) : (
                <dl className="details">
                  <dt>{t('org.field.country')}</dt>
                  <dd data-testid="org-country-value">
                    {countryName(org.countryCode, locale)} <span className="muted">({org.countryCode})</span>
                  </dd>
                  <dt>{t('org.field.kind')}</dt>
                  <dd data-testid="org-kind-value">{kindKey[org.kind] ? t(kindKey[org.kind]) : org.kind}</dd>
                  <dt>{t('org.field.registration')}</dt>
                  <dd data-testid="org-registration-value" className="mono">
                    {org.registrationNumber}
                  </dd>
                  {org.createdAt && (
                    <>
                      <dt>{t('org.createdAt')}</dt>
                      <dd>{formatDate(org.createdAt, locale)}</dd>
                    </>
                  )}
                  {myRole && (
                    <>
                      <dt>{t('org.yourRole')}</dt>
                      <dd>{t(roleKey[myRole] ?? 'org.role.viewer')}</dd>
                    </>
                  )}
                </dl>
              )}
            </section>

            <section className="panel" aria-labelledby="verification-heading">
              <div className="panel-header">
                <h2 id="verification-heading">{t('verify.title')}</h2>
                <StatusBadge status={status} />
              </div>
              {status === 'pending' && <p>{t('verify.pendingText')}</p>}
              {status === 'verified' && <p>{t('verify.verifiedText')}</p>}
              {status === 'rejected' && <p>{t('verify.rejectedText')}</p>}
              {(org.verification?.requestedAt || org.verification?.decidedAt || org.verification?.note) && (
                <dl className="details">
                  {org.verification.requestedAt && (
                    <>
                      <dt>{t('verify.requestedAt')}</dt>
                      <dd>{formatDateTime(org.verification.requestedAt, locale)}</dd>
                    </>
                  )}
                  {org.verification.decidedAt && (
                    <>
                      <dt>{t('verify.decidedAt')}</dt>
                      <dd>{formatDateTime(org.verification.decidedAt, locale)}</dd>
                    </>
                  )}
                  {org.verification.note && (
                    <>
                      <dt>{status === 'pending' ? t('verify.yourNote') : t('verify.moderatorNote')}</dt>
                      <dd data-testid="org-verification-note">{org.verification.note}</dd>
                    </>
                  )}
                </dl>
              )}
              {(status === 'unverified' || status === 'rejected') &&
                (isOwner ? (
                  <VerificationForm
                    organizationId={org.id}
                    onSent={(updated) => {
                      setOrg(
                        updated && updated.id
                          ? updated
                          : { ...org, verification: { ...org.verification, status: 'pending' } },
                      );
                      setNotice('verify.sent');
                      refresh().catch(() => null);
                    }}
                  />
                ) : (
                  <p className="muted">{t('verify.ownerOnly')}</p>
                ))}
            </section>
          </div>

          <section className="panel">
            <h2>{t('org.members')}</h2>
            {org.members?.length ? (
              <table className="table" data-testid="org-members">
                <thead>
                  <tr>
                    <th>{t('org.members.email')}</th>
                    <th>{t('org.members.role')}</th>
                  </tr>
                </thead>
                <tbody>
                  {org.members.map((m) => (
                    <tr key={m.userId} data-testid="org-member-row">
                      <td data-label={t('org.members.email')}>{m.email}</td>
                      <td data-label={t('org.members.role')}>{roleKey[m.role] ? t(roleKey[m.role]) : m.role}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">{t('org.members.empty')}</p>
            )}
          </section>
        </>
      )}
    </div>
  );
}
