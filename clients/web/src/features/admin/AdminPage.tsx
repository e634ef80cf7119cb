import { useCallback, useEffect, useState } from 'react';
import { api, type AdminOrganizationItem, type VerificationStatus } from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { StatusBadge } from '../../components/StatusBadge';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { formatDateTime } from '../../format';
import { useI18n, type MessageKey, useStableT } from '../../i18n';
import { Link } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';
import { AdminTabs } from './AdminTabs';

const statuses: { value: VerificationStatus; label: MessageKey }[] = [
  { value: 'pending', label: 'status.pending' },
  { value: 'verified', label: 'status.verified' },
  { value: 'rejected', label: 'status.rejected' },
  { value: 'unverified', label: 'status.unverified' },
];

/** Verification queue for administrators and moderators. */
export function AdminPage() {
  const { t } = useI18n();
  const { isStaff } = useAuth();
  usePageTitle(t('admin.title'));

  if (!isStaff) {
    return (
      <div className="page narrow">
        <h1>{t('admin.title')}</h1>
        <p className="notice notice-error" data-testid="admin-forbidden">
          {t('admin.forbidden')}
        </p>
      </div>
    );
  }
  return <VerificationQueue />;
}

function VerificationQueue() {
  const { t, locale } = useI18n();
  const stableT = useStableT();
  const [status, setStatus] = useState<VerificationStatus>('pending');
  const [items, setItems] = useState<AdminOrganizationItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [errors, setErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<{ key: MessageKey; name: string } | null>(null);

  const load = useCallback(
    async (append: boolean, from: string | null, signal?: AbortSignal) => {
      setLoading(true);
      setErrors([]);
      try {
        const page = await api.adminOrganizations(status, from, signal);
        setItems((prev) => (append ? [...prev, ...(page.items ?? [])] : (page.items ?? [])));
        setCursor(page.nextCursor ?? null);
      } catch (err) {
        if (signal?.aborted) return;
        setErrors(errorMessages(err, stableT));
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    // t is left out on purpose: switching language must not reload the list.
    [status, stableT],
  );

  useEffect(() => {
    const controller = new AbortController();
    setItems([]);
    setCursor(null);
    load(false, null, controller.signal);
    return () => controller.abort();
  }, [load]);

  function decided(item: AdminOrganizationItem, decision: 'verified' | 'rejected') {
    setItems((prev) => prev.filter((i) => i.id !== item.id));
    setNotice({ key: decision === 'verified' ? 'admin.done.verified' : 'admin.done.rejected', name: item.name });
  }

  return (
    <div className="page">
      <AdminTabs current="verification" />
      <h1>{t('admin.title')}</h1>
      <p className="lead">{t('admin.intro')}</p>
      <div className="page-toolbar">
        <Field id="admin-status" label={t('admin.filter')} className="field-inline">
          <select
            id="admin-status"
            data-testid="admin-status"
            value={status}
            onChange={(e) => {
              setNotice(null);
              setStatus(e.target.value as VerificationStatus);
            }}
          >
            {statuses.map((s) => (
              <option key={s.value} value={s.value}>
                {t(s.label)}
              </option>
            ))}
          </select>
        </Field>
        <button
          type="button"
          className="button button-small"
          data-testid="admin-refresh"
          onClick={() => {
            setNotice(null);
            load(false, null);
          }}
          disabled={loading}
        >
          {t('admin.refresh')}
        </button>
      </div>
      {notice && (
        <p className="notice notice-success" role="status" data-testid="admin-notice">
          {t(notice.key, { name: notice.name })}
        </p>
      )}
      <FormErrors messages={errors} />

      {items.length > 0 ? (
        <table className="table admin-table" data-testid="admin-queue">
          <thead>
            <tr>
              <th>{t('admin.col.name')}</th>
              <th>{t('admin.col.country')}</th>
              <th>{t('admin.col.requestedAt')}</th>
              <th>{status === 'pending' ? t('admin.col.applicantNote') : t('admin.note')}</th>
              <th>{t('admin.col.decision')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <QueueRow key={item.id} item={item} locale={locale} onDecided={decided} />
            ))}
          </tbody>
        </table>
      ) : (
        !loading && errors.length === 0 && <p className="panel muted" data-testid="admin-empty">{t('admin.empty')}</p>
      )}
      {loading && <p className="muted">{t('app.loading')}</p>}
      {cursor && !loading && (
        <div className="form-actions">
          <button type="button" className="button" data-testid="admin-load-more" onClick={() => load(true, cursor)}>
            {t('admin.loadMore')}
          </button>
        </div>
      )}
    </div>
  );
}

type RowProps = {
  item: AdminOrganizationItem;
  locale: string;
  onDecided: (item: AdminOrganizationItem, decision: 'verified' | 'rejected') => void;
};

function QueueRow({ item, locale, onDecided }: RowProps) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const status = item.verification?.status ?? 'pending';

  async function decide(decision: 'verified' | 'rejected') {
    setBusy(true);
    setErrors([]);
    try {
      await api.decideVerification(item.id, decision, note.trim());
      onDecided(item, decision);
    } catch (err) {
      setErrors(errorMessages(err, t, { note: t('admin.note'), decision: t('admin.col.decision') }));
      setBusy(false);
    }
  }

  const noteId = `admin-note-${item.id}`;
  return (
    <tr data-testid="admin-org-row" data-org-id={item.id}>
      <td data-label={t('admin.col.name')}>
        <Link to={`/organization/${encodeURIComponent(item.id)}`} className="strong">
          {item.name}
        </Link>{' '}
        {status !== 'pending' && <StatusBadge status={status} />}
      </td>
      <td data-label={t('admin.col.country')}>
        {countryName(item.countryCode, locale)} <span className="muted">({item.countryCode})</span>
      </td>
      <td data-label={t('admin.col.requestedAt')}>{formatDateTime(item.verification?.requestedAt, locale)}</td>
      <td data-label={status === 'pending' ? t('admin.col.applicantNote') : t('admin.note')} className="note-cell">
        {item.verification?.note}
      </td>
      <td data-label={t('admin.col.decision')} className="decision-cell">
        <FormErrors messages={errors} />
        <label className="visually-hidden" htmlFor={noteId}>
          {t('admin.note')}
        </label>
        <input
          id={noteId}
          data-testid="admin-note"
          placeholder={t('admin.notePlaceholder')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          maxLength={2000}
          disabled={busy}
        />
        <div className="decision-buttons">
          {status !== 'verified' && (
            <button
              type="button"
              className="button button-small button-success"
              data-testid="admin-verify"
              onClick={() => decide('verified')}
              disabled={busy}
            >
              {t('admin.verify')}
            </button>
          )}
          {status !== 'rejected' && (
            <button
              type="button"
              className="button button-small button-danger"
              data-testid="admin-reject"
              onClick={() => decide('rejected')}
              disabled={busy}
            >
              {t('admin.reject')}
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
