import { useRef, useState } from 'react';
import { api, dealLinks, type ChecklistItem, type Deal } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { FormErrors } from '../../../components/FormErrors';
import { errorMessages } from '../../../errors';
import { useI18n } from '../../../i18n';
import { summarizeChecklist } from '../dealLog';
import { documentKindLabel, documentStatusLabel } from '../labels';

/** Deals still open to documents: before shipping the seller prepares them, after it the buyer checks them. */
const closedStates = new Set(['completed', 'cancelled']);

/**
 * The documents the deal's terms call for: the seller uploads each (the server checks type and size), the buyer
 * accepts or rejects it with a reason; everyone on the deal downloads them.
 */
export function DocumentChecklist({ deal, onChanged }: { deal: Deal; onChanged: () => void }) {
  const { t } = useI18n();
  const items = deal.checklist ?? [];
  const summary = summarizeChecklist(items);
  const open = !closedStates.has(deal.status);
  return (
    <section className="panel" data-testid="deal-checklist" aria-labelledby="deal-checklist-title">
      <div className="panel-header">
        <h2 id="deal-checklist-title">{t('deals.documents')}</h2>
        {summary.required > 0 && (
          <span className={`badge ${summary.complete ? 'badge-verified' : 'badge-pending'}`} data-testid="checklist-summary" data-complete={summary.complete}>
            {t('deals.docs.summary', { accepted: summary.accepted, required: summary.required })}
          </span>
        )}
      </div>
      {(summary.awaiting > 0 || summary.rejected > 0 || summary.missing > 0) && (
        <p className="muted small" data-testid="checklist-detail">
          {[
            summary.missing > 0 && t('deals.docs.missing', { n: summary.missing }),
            summary.awaiting > 0 && t('deals.docs.awaiting', { n: summary.awaiting }),
            summary.rejected > 0 && t('deals.docs.rejected', { n: summary.rejected }),
          ]
            .filter(Boolean)
            .join(' · ')}
        </p>
      )}
      {items.length === 0 ? (
        <p className="muted">{t('deals.docs.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table bordered-table">
            <thead>
              <tr>
                <th scope="col">{t('deals.docs.kind')}</th>
                <th scope="col">{t('deals.docs.status')}</th>
                <th scope="col">{t('deals.docs.file')}</th>
                <th scope="col">{t('deals.docs.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <ChecklistRow key={item.kind} deal={deal} item={item} open={open} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ChecklistRow({ deal, item, open, onChanged }: { deal: Deal; item: ChecklistItem; open: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const file = useRef<HTMLInputElement | null>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const [rejecting, setRejecting] = useState(false);
  const seller = deal.mySide === 'seller';
  const buyer = deal.mySide === 'buyer';
  const canUpload = seller && open && item.status !== 'accepted';
  const canDecide = buyer && open && item.status === 'uploaded' && !!item.documentId;
  const inputId = `doc-file-${item.kind}`;

  async function run(action: () => Promise<unknown>): Promise<string[]> {
    setBusy(true);
    setErrors([]);
    try {
      await action();
      onChanged();
      return [];
    } catch (e) {
      return errorMessages(e, t, { file: t('deals.docs.file'), kind: t('deals.docs.kind'), reason: t('deals.docs.reason') });
    } finally {
      setBusy(false);
    }
  }

  async function upload() {
    if (!chosen) return;
    const failed = await run(() => api.uploadDealDocument(deal.id, item.kind, chosen));
    setErrors(failed);
    if (failed.length === 0) {
      setChosen(null);
      if (file.current) file.current.value = '';
    }
  }

  return (
    <tr data-testid="checklist-row" data-kind={item.kind} data-status={item.status} data-required={item.required}>
      <td>
        {documentKindLabel(item.kind, t)}
        <div className="muted small">
          {t(item.required ? 'deals.docs.required' : 'deals.docs.optional')}
          {item.issuer && <> · {t('deals.docs.issuer', { issuer: item.issuer })}</>}
        </div>
      </td>
      <td>
        <span className={`badge badge-doc-${item.status}`} data-testid="checklist-status">
          {documentStatusLabel(item.status, t)}
        </span>
        {item.status === 'rejected' && item.rejectionReason && (
          <div className="small" data-testid="checklist-reason">
            {t('deals.docs.reason')}: {item.rejectionReason}
          </div>
        )}
      </td>
      <td>
        {item.documentId ? (
          <a href={dealLinks.document(deal.id, item.documentId)} data-testid="checklist-download" download>
            {item.fileName || t('deals.docs.download')}
          </a>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="checklist-actions">
        <FormErrors messages={errors} />
        {canUpload && (
          <div className="toolbar-group">
            <label className="visually-hidden" htmlFor={inputId}>
              {t('deals.docs.choose', { kind: documentKindLabel(item.kind, t) })}
            </label>
            <input
              ref={file}
              id={inputId}
              type="file"
              data-testid="checklist-file"
              accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
              disabled={busy}
              onChange={(e) => setChosen(e.target.files?.[0] ?? null)}
            />
            <button type="button" className="button button-small" data-testid="checklist-upload" disabled={busy || !chosen} onClick={() => void upload()}>
              {t(item.documentId ? 'deals.docs.replace' : 'deals.docs.upload')}
            </button>
          </div>
        )}
        {canDecide && (
          <div className="toolbar-group">
            <button
              type="button"
              className="button button-small button-success"
              data-testid="checklist-accept"
              disabled={busy}
              onClick={() => void run(() => api.acceptDealDocument(deal.id, item.documentId!)).then(setErrors)}
            >
              {t('deals.docs.accept')}
            </button>
            <button type="button" className="button button-small button-danger" data-testid="checklist-reject" disabled={busy} onClick={() => setRejecting(true)}>
              {t('deals.docs.reject')}
            </button>
          </div>
        )}
        {rejecting && item.documentId && (
          <ConfirmDialog
            testId="reject-document"
            title={t('deals.docs.rejectTitle', { kind: documentKindLabel(item.kind, t) })}
            confirmLabel={t('deals.docs.reject')}
            confirmClass="button-danger"
            reason={{ label: t('deals.docs.reason'), required: true }}
            onConfirm={(reason) => run(() => api.rejectDealDocument(deal.id, item.documentId!, reason))}
            onClose={() => setRejecting(false)}
          />
        )}
      </td>
    </tr>
  );
}
