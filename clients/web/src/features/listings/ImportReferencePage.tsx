import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, type ImportReference } from '../../api';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages } from '../../errors';
import { formatDecimal } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Link } from '../../router';
import { referenceTables, type CodeRow, type Labels } from './importReference';

/** Every code the CSV import accepts, in readable tables with EN/RU/ZH names, a filter and the CSV download. */
export function ImportReferencePage() {
  const { t, locale } = useI18n();
  const [reference, setReference] = useState<ImportReference | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  usePageTitle(t('importRef.title'));

  useEffect(() => {
    const controller = new AbortController();
    api
      .importReference(controller.signal)
      .then(setReference)
      .catch((e: unknown) => !controller.signal.aborted && setErrors(errorMessages(e, t)));
    return () => controller.abort();
  }, [t]);

  const tables = useMemo(() => (reference ? referenceTables(reference, filter, t('editor.seaOnly')) : null), [reference, filter, t]);
  const number = (v: number | string | null) => (v === null ? '' : formatDecimal(String(v), locale));

  return (
    <div className="page" data-testid="import-reference">
      <p className="breadcrumbs">
        <Link to="/listings/import">{t('importRef.back')}</Link>
      </p>
      <h1 data-testid="reference-title">{t('importRef.title')}</h1>
      <p className="lead">{t('importRef.intro')}</p>
      <div className="page-toolbar">
        <input
          type="search"
          aria-label={t('importRef.filter')}
          placeholder={t('importRef.filterPlaceholder')}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          data-testid="reference-filter"
        />
        <a className="button" href={api.importReferenceCsvUrl} download="import-reference.csv" data-testid="reference-csv">
          {t('importRef.csv')}
        </a>
      </div>
      <FormErrors messages={errors} />
      {!tables && errors.length === 0 && <p className="muted">{t('app.loading')}</p>}
      {tables && (
        <>
          <Section title={t('importRef.categories')} count={tables.categories.length}>
            <table className="table bordered-table" data-testid="reference-categories">
              <thead>
                <tr>
                  <th>{t('importRef.col.code')}</th>
                  <LabelHeads />
                  <th>{t('importRef.col.hsCode')}</th>
                  <th>{t('importRef.col.unit')}</th>
                </tr>
              </thead>
              <tbody>
                {tables.categories.map((c) => (
                  <tr key={c.code} data-testid="reference-category" data-code={c.code}>
                    <td className="mono">{c.code}</td>
                    <LabelCells labels={c.labels} />
                    <td className="mono">{c.hsCode}</td>
                    <td className="mono">{c.unit}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title={t('importRef.specs')} count={tables.specs.length}>
            <table className="table bordered-table" data-testid="reference-specs">
              <thead>
                <tr>
                  <th>{t('importRef.col.category')}</th>
                  <th>{t('importRef.col.key')}</th>
                  <LabelHeads />
                  <th>{t('importRef.col.unit')}</th>
                  <th>{t('importRef.col.range')}</th>
                  <th>{t('importRef.col.required')}</th>
                </tr>
              </thead>
              <tbody>
                {tables.specs.map((s) => (
                  <tr key={`${s.category}.${s.code}`} data-testid="reference-spec" data-code={s.code} data-category={s.category}>
                    <td className="mono">{s.category}</td>
                    <td className="mono">{s.code}</td>
                    <LabelCells labels={s.labels} />
                    <td className="mono">{s.unit ?? ''}</td>
                    <td className="mono">{s.options.length > 0 ? s.options.join('; ') : `${number(s.min)}–${number(s.max)}`}</td>
                    <td>{s.required ? t('importRef.yes') : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <CodeTable title="importRef.paymentTerms" testId="reference-terms" rows={tables.paymentTerms} />
          <CodeTable title="importRef.incoterms" testId="reference-incoterms" rows={tables.incoterms} />
          <CodeTable title="importRef.deliveryModes" testId="reference-modes" rows={tables.deliveryModes} />
          <CodeTable title="importRef.packagings" testId="reference-packagings" rows={tables.packagings} />
          <CodeTable title="importRef.units" testId="reference-units" rows={tables.units} />
          <CodeTable title="importRef.currencies" testId="reference-currencies" rows={tables.currencies} />
          {reference && (
            <Section title={t('importRef.certificates')}>
              <p data-testid="reference-certificates">
                {t('importRef.certificatesText', { max: reference.certificates.maxCount, length: reference.certificates.maxLength, separator: reference.certificates.separator })}
              </p>
            </Section>
          )}
        </>
      )}
    </div>
  );
}

function Section({ title, count, children }: { title: string; count?: number; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className="panel">
      <h2>{title}</h2>
      {count === 0 ? <p className="muted">{t('importRef.noMatch')}</p> : <div className="table-wrap">{children}</div>}
    </section>
  );
}

function LabelHeads() {
  return (
    <>
      <th lang="en">English</th>
      <th lang="ru">Русский</th>
      <th lang="zh">中文</th>
    </>
  );
}

function LabelCells({ labels }: { labels: Labels }) {
  return (
    <>
      {labels.map((label, i) => (
        <td key={i}>{label ?? ''}</td>
      ))}
    </>
  );
}

function CodeTable({ title, testId, rows }: { title: MessageKey; testId: string; rows: CodeRow[] }) {
  const { t } = useI18n();
  return (
    <Section title={t(title)} count={rows.length}>
      <table className="table bordered-table" data-testid={testId}>
        <thead>
          <tr>
            <th>{t('importRef.col.code')}</th>
            <LabelHeads />
            <th>{t('importRef.col.note')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.code} data-testid={`${testId}-row`} data-code={r.code}>
              <td className="mono">{r.code}</td>
              <LabelCells labels={r.labels} />
              <td>{r.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
