import { ApiError, type CodedFieldError } from './api';
import type { Translate } from './i18n';
import { problemTitle, renderFieldError } from './serverText';

/**
 * Human-readable messages for a failed request. Field errors are prefixed with the
 * field's label when one is given (keys are the server's camelCase field names).
 */
/** The page's locale as the i18n provider sets it on <html lang>, for callers that pass only a translator. */
function pageLocale(): string {
  return (typeof document !== 'undefined' && document.documentElement.lang) || 'en';
}

/**
 * A failed request's messages by field (as `<Field errors>` takes them) in the user's language: each coded field error
 * worded from the dictionaries, a field the server sent no code for with its English.
 */
export function fieldMessages(error: unknown, t: Translate, locale = pageLocale()): Record<string, string[]> {
  if (!(error instanceof ApiError)) return {};
  return wordFieldErrors(error.errors, error.fieldErrors, t, locale);
}

/** English messages by field and their coded twins (a 400's, an import row's) as messages in the user's language. */
export function wordFieldErrors(
  errors: Record<string, string[]>,
  coded: readonly CodedFieldError[] | undefined,
  t: Translate,
  locale = pageLocale(),
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of coded ?? []) (out[e.field] ??= []).push(renderFieldError(e, t, locale));
  for (const [field, messages] of Object.entries(errors)) out[field] ??= messages;
  return out;
}

export function errorMessages(error: unknown, t: Translate, fieldLabels: Record<string, string> = {}, locale = pageLocale()): string[] {
  if (!(error instanceof ApiError)) {
    const message = error instanceof Error ? error.message : String(error);
    return [t('error.generic', { message })];
  }
  if (error.isNetworkError) return [t('error.network')];

  const messages: string[] = [];
  for (const [key, list] of Object.entries(fieldMessages(error, t, locale))) {
    const label = fieldLabels[key];
    for (const m of list) messages.push(label ? `${label}: ${m}` : m);
  }
  if (messages.length > 0) return messages;

  if (error.status === 403) return [t('error.forbidden')];
  if (error.status === 404) return [t('error.notFound')];
  if (error.status >= 500) return [t('error.server')];
  // The problem's code words its title in the user's language; the detail (what is allowed instead) stays as sent.
  const title = problemTitle(error.code, t);
  if (title) return [error.detail ? `${title} ${error.detail}` : title];
  return [error.detail ?? error.title];
}

/** Identity's 401 answers to a sign-in carry the reason in `detail`. */
export function signInFailure(error: unknown): 'wrongCredentials' | 'lockedOut' | 'notAllowed' | 'twoFactor' | null {
  if (!(error instanceof ApiError) || error.status !== 401) return null;
  switch ((error.detail ?? '').toLowerCase()) {
    case 'lockedout':
      return 'lockedOut';
    case 'notallowed':
      return 'notAllowed';
    case 'requirestwofactor':
      return 'twoFactor';
    default:
      return 'wrongCredentials';
  }
}

export function signInErrorMessages(error: unknown, t: Translate): string[] {
  const reason = signInFailure(error);
  if (reason) return [t(`auth.error.${reason}`)];
  return errorMessages(error, t);
}
