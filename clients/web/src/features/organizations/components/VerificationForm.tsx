import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { api, type Organization } from '../../../api';
import { errorMessages } from '../../../errors';
import { formatFileSize } from '../../../format';
import { useI18n, type Translate } from '../../../i18n';
import { Field } from '../../../components/Field';
import { FormErrors } from '../../../components/FormErrors';

export const maxDocumentBytes = 10 * 1024 * 1024;
const allowedTypes = new Set(['application/pdf', 'image/png', 'image/jpeg']);
const allowedExtensions = /\.(pdf|png|jpe?g)$/i;

/** Client-side check of the documents before upload: type (PDF/PNG/JPEG) and size (≤ 10 MB). */
export function checkDocuments(files: readonly File[], t: Translate): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const typeOk = f.type ? allowedTypes.has(f.type.toLowerCase()) : allowedExtensions.test(f.name);
    if (!typeOk) problems.push(t('verify.error.type', { name: f.name }));
    else if (f.size === 0) problems.push(t('verify.error.empty', { name: f.name }));
    else if (f.size > maxDocumentBytes) problems.push(t('verify.error.size', { name: f.name }));
  }
  return problems;
}


type Props = { organizationId: string; onSent: (org: Organization) => void };

/** Upload of registration documents to request the organization's verification. */
export function VerificationForm({ organizationId, onSent }: Props) {
  const { t, locale } = useI18n();
  const [files, setFiles] = useState<File[]>([]);
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  function pick(e: ChangeEvent<HTMLInputElement>) {
    const picked = Array.from(e.target.files ?? []);
    setFiles(picked);
    setErrors(checkDocuments(picked, t));
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems = files.length === 0 ? [t('verify.error.noFiles')] : checkDocuments(files, t);
    setErrors(problems);
    if (problems.length) return;

    setBusy(true);
    try {
      const org = await api.requestVerification(organizationId, files, note);
      setFiles([]);
      setNote('');
      if (fileInput.current) fileInput.current.value = '';
      onSent(org);
    } catch (err) {
      setErrors(errorMessages(err, t, { documents: t('verify.files'), note: t('verify.note') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      <h3>{t('verify.requestTitle')}</h3>
      <p className="muted">{t('verify.intro')}</p>
      <FormErrors messages={errors} />
      <Field
        id="verification-files"
        label={t('verify.files')}
        hint={t('verify.filesHint')}
        ref={fileInput}
        type="file"
        multiple
        accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
        data-testid="verification-files"
        onChange={pick}
      />
      {files.length > 0 && (
        <div className="file-list">
          <p className="muted">{t('verify.selected', { n: files.length })}</p>
          <ul>
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                <span className="file-name">{f.name}</span>{' '}
                <span className="muted">{formatFileSize(f.size, locale)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <Field id="verification-note" label={t('verify.note')}>
        <textarea
          id="verification-note"
          data-testid="verification-note"
          rows={3}
          maxLength={2000}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </Field>
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="verification-submit" disabled={busy}>
          {busy ? t('auth.working') : t('verify.submit')}
        </button>
      </div>
    </form>
  );
}
