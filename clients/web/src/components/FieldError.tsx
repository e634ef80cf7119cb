/** Messages by API path ("price.amount"): the server's problem details or the form's own checks. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** The server's (or the form's own) messages for one field, next to it; `path` is the API's JSON path. */
export function FieldError({ path, errors }: { path: string; errors: FieldErrors }) {
  const messages = errors[path];
  if (!messages?.length) return null;
  return (
    <p className="field-error" id={fieldErrorId(path)} data-testid={`field-error-${path}`}>
      {messages.join(' ')}
    </p>
  );
}

export function fieldErrorId(path: string): string {
  return `field-error-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** aria attributes of an input whose field has errors. */
export function invalidProps(path: string, errors: FieldErrors) {
  return errors[path]?.length
    ? { 'aria-invalid': true as const, 'aria-describedby': fieldErrorId(path) }
    : {};
}
