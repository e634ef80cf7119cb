import { useEffect, useRef, useState, type ReactNode } from 'react';
import { FormErrors } from './FormErrors';
import { useT } from '../i18n';

type Props = {
  /** data-testid of the dialog; its buttons are "<testId>-confirm" and "<testId>-cancel", the reason "<testId>-reason". */
  testId: string;
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: ReactNode;
  /** Colours the confirm button ("button-danger" for a way out, "button-success" for a commitment). */
  confirmClass?: string;
  /** Asks for a reason: required (the confirm button waits for text) or optional. */
  reason?: { label: string; required: boolean; maxLength?: number };
  /** Runs the action; errors it answers are shown in the dialog, which closes only on success. */
  onConfirm: (reason: string) => Promise<string[]>;
  onClose: () => void;
};

/**
 * A modal question before an action that binds or cannot be undone (accepting an offer, shipping, cancelling). The
 * native <dialog> keeps focus inside and closes on Escape.
 */
export function ConfirmDialog({ testId, title, children, confirmLabel, confirmClass = 'button-primary', reason, onConfirm, onClose }: Props) {
  const t = useT();
  const dialog = useRef<HTMLDialogElement | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const missingReason = reason?.required === true && text.trim() === '';
  async function confirm() {
    if (busy || missingReason) return;
    setBusy(true);
    setErrors([]);
    const failed = await onConfirm(text.trim());
    setBusy(false);
    if (failed.length === 0) onClose();
    else setErrors(failed);
  }

  return (
    <dialog
      ref={dialog}
      className="dialog"
      data-testid={testId}
      aria-labelledby={`${testId}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void confirm();
        }}
      >
        <h2 id={`${testId}-title`}>{title}</h2>
        {children}
        {reason && (
          <div className="field">
            <label htmlFor={`${testId}-reason`}>
              {reason.label}
              {!reason.required && <span className="muted"> ({t('dialog.optional')})</span>}
            </label>
            <textarea
              id={`${testId}-reason`}
              data-testid={`${testId}-reason`}
              rows={3}
              maxLength={reason.maxLength ?? 1000}
              value={text}
              required={reason.required}
              onChange={(e) => setText(e.target.value)}
              autoFocus
            />
          </div>
        )}
        <FormErrors messages={errors} />
        <div className="form-actions">
          <button type="submit" className={`button ${confirmClass}`} data-testid={`${testId}-confirm`} disabled={busy || missingReason}>
            {confirmLabel}
          </button>
          <button type="button" className="button button-ghost" data-testid={`${testId}-cancel`} disabled={busy} onClick={onClose}>
            {t('dialog.back')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
