import { useT } from '../i18n';

/** The list of errors of a form (client-side checks and the server's problem details). */
export function FormErrors({ messages }: { messages: readonly string[] }) {
  const t = useT();
  if (messages.length === 0) return null;
  return (
    <div className="form-errors" role="alert" data-testid="form-errors">
      {messages.length > 1 && <p className="form-errors-title">{t('error.listTitle')}</p>}
      <ul>
        {messages.map((m, i) => (
          <li key={i}>{m}</li>
        ))}
      </ul>
    </div>
  );
}
