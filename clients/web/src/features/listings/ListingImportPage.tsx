import { useRef, useState, type FormEvent } from 'react';
import { api, type ImportResult } from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { NoOrganization, OrganizationPicker } from '../../components/OrganizationPicker';
import { errorMessages, wordFieldErrors } from '../../errors';
import { useI18n } from '../../i18n';
import { canTrade, useOrganizationSelection } from '../../hooks/organizationSelection';
import { Link } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';

const maxBytes = 5 * 1024 * 1024;

/** Uploads a CSV of listings; valid rows become drafts, rejected rows are listed with their errors. */
export function ListingImportPage() {
  const { t, locale } = useI18n();
  const { me } = useAuth();
  const selection = useOrganizationSelection();
  const orgId = selection.selectedId;
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  usePageTitle(t('import.title'));

  if (selection.organizations.length === 0 || !orgId) {
    return (
      <div className="page narrow">
        <h1>{t('import.title')}</h1>
        <NoOrganization />
      </div>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!orgId) return;
    const problems: string[] = [];
    if (!file) problems.push(t('import.noFile'));
    else if (file.size > maxBytes) problems.push(t('import.tooLarge', { name: file.name }));
    setErrors(problems);
    if (problems.length || !file) return;
    setBusy(true);
    setResult(null);
    try {
      const r = await api.importListings(orgId, file);
      setResult({ imported: r?.imported ?? 0, listingIds: r?.listingIds ?? [], rejected: r?.rejected ?? [] });
    } catch (err) {
      setErrors(errorMessages(err, t, { file: t('import.file'), organizationId: t('org.select') }));
    } finally {
      setBusy(false);
    }
  }

  const orgQuery = `?org=${encodeURIComponent(orgId)}`;
  return (
    <div className="page">
      <p className="breadcrumbs">
        <Link to={`/listings${orgQuery}`}>{t('listing.back')}</Link>
      </p>
      <div className="page-toolbar">
        <div className="page-header">
          <p className="eyebrow">{selection.selected?.name}</p>
          <h1>{t('import.title')}</h1>
        </div>
        <OrganizationPicker selection={selection} />
      </div>
      <p className="lead">{t('import.intro')}</p>
      {!canTrade(me, orgId) && <p className="notice notice-info">{t('editor.readOnly')}</p>}

      <form className="panel form" onSubmit={submit} noValidate>
        <FormErrors messages={errors} />
        <Field
          id="import-file"
          label={t('import.file')}
          hint={t('import.fileHint')}
          ref={input}
          data-testid="import-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setErrors([]);
          }}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="import-submit" disabled={busy}>
            {busy ? t('auth.working') : t('import.submit')}
          </button>
          <a className="button" href={api.importTemplateUrl} download="listings-template.csv" data-testid="import-template">
            {t('import.template')}
          </a>
          <Link className="button" to="/listings/import/reference" data-testid="import-reference-link">
            {t('import.reference')}
          </Link>
        </div>
      </form>

      {result && (
        <section className="panel" data-testid="import-result" aria-live="polite">
          <h2>{t('import.resultTitle')}</h2>
          <p>
            <span className="notice-inline notice-success" data-testid="import-imported" data-count={result.imported}>
              {t('import.imported', { n: result.imported })}
            </span>{' '}
            {result.rejected.length > 0 && (
              <span className="notice-inline notice-error" data-testid="import-rejected-count">
                {t('import.rejectedCount', { n: result.rejected.length })}
              </span>
            )}
          </p>
          {result.rejected.length > 0 && (
            <table className="table bordered-table" data-testid="import-rejected">
              <thead>
                <tr>
                  <th>{t('import.col.row')}</th>
                  <th>{t('import.col.errors')}</th>
                </tr>
              </thead>
              <tbody>
                {result.rejected.map((r) => (
                  <tr key={r.row} data-testid="import-rejected-row" data-row={r.row}>
                    <td data-label={t('import.col.row')} className="mono">
                      {r.row}
                    </td>
                    <td data-label={t('import.col.errors')}>
                      <ul className="plain-list">
                        {Object.entries(wordFieldErrors(r.errors ?? {}, r.fieldErrors, t, locale)).flatMap(([field, messages]) =>
                          (Array.isArray(messages) ? messages : [String(messages)]).map((m, i) => (
                            <li key={`${field}-${i}`}>
                              <span className="mono strong">{field}</span>: {m}
                            </li>
                          )),
                        )}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.imported > 0 && (
            <p>
              <Link to={`/listings${orgQuery}&status=draft`} data-testid="import-open-listings">
                {t('import.openListings')}
              </Link>
            </p>
          )}
        </section>
      )}
    </div>
  );
}
