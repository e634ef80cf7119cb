import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages, signInErrorMessages, signInFailure } from '../../errors';
import { useI18n, type Language, type MessageKey, type Translate } from '../../i18n';
import { Link, navigate } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';

// ASP.NET Core Identity error codes that have a translation of their own.
const identityCodes = new Set([
  'PasswordTooShort',
  'PasswordRequiresNonAlphanumeric',
  'PasswordRequiresDigit',
  'PasswordRequiresLower',
  'PasswordRequiresUpper',
  'PasswordRequiresUniqueChars',
  'DuplicateUserName',
  'DuplicateEmail',
  'InvalidEmail',
  'InvalidUserName',
]);

/**
 * The server's registration errors. In English they are shown as the server words them;
 * in other languages known Identity codes are translated (unknown ones keep the server's text).
 */
function registrationErrors(error: unknown, lang: Language, t: Translate): string[] {
  if (!(error instanceof ApiError) || lang === 'en' || Object.keys(error.errors).length === 0) {
    return errorMessages(error, t);
  }
  const out: string[] = [];
  for (const [code, messages] of Object.entries(error.errors)) {
    if (!identityCodes.has(code)) {
      out.push(...messages);
    } else if (code === 'PasswordTooShort') {
      const n = /\d+/.exec(messages.join(' '))?.[0];
      out.push(n ? t('auth.error.PasswordTooShortN', { n }) : t('auth.error.PasswordTooShort'));
    } else {
      out.push(t(`auth.error.${code}` as MessageKey));
    }
  }
  return [...new Set(out)];
}

export function SignUpPage() {
  const { t, lang } = useI18n();
  const { signIn } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [mustConfirmEmail, setMustConfirmEmail] = useState(false);
  usePageTitle(t('auth.signUp.title'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: string[] = [];
    if (!email.trim()) problems.push(t('auth.error.emailRequired'));
    if (!password) problems.push(t('auth.error.passwordRequired'));
    else if (password !== confirm) problems.push(t('auth.error.passwordsDiffer'));
    setErrors(problems);
    if (problems.length) return;

    setBusy(true);
    try {
      await api.register(email.trim(), password);
    } catch (err) {
      setErrors(registrationErrors(err, lang, t));
      setBusy(false);
      return;
    }

    try {
      await signIn(email.trim(), password);
      navigate('/organization', { replace: true });
    } catch (err) {
      if (signInFailure(err) === 'notAllowed') {
        setMustConfirmEmail(true);
      } else {
        setErrors(signInErrorMessages(err, t));
      }
      setBusy(false);
    }
  }

  if (mustConfirmEmail) {
    return (
      <div className="page auth-page">
        <h1>{t('auth.signUp.title')}</h1>
        <div className="panel">
          <p className="notice notice-success" role="status" data-testid="signup-check-mailbox">
            {t('auth.signUp.checkMailbox')}
          </p>
          <p>
            <Link to="/signin">{t('nav.signIn')}</Link>
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="page auth-page">
      <h1>{t('auth.signUp.title')}</h1>
      <form className="panel form" onSubmit={submit} noValidate>
        <FormErrors messages={errors} />
        <Field
          id="signup-email"
          label={t('auth.email')}
          type="email"
          autoComplete="username"
          data-testid="signup-email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          autoFocus
        />
        <Field
          id="signup-password"
          label={t('auth.password')}
          hint={t('auth.passwordHint')}
          type="password"
          autoComplete="new-password"
          data-testid="signup-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <Field
          id="signup-confirm"
          label={t('auth.confirmPassword')}
          type="password"
          autoComplete="new-password"
          data-testid="signup-confirm"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          aria-invalid={confirm !== '' && confirm !== password ? true : undefined}
          required
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="signup-submit" disabled={busy}>
            {busy ? t('auth.working') : t('auth.signUp.submit')}
          </button>
        </div>
        <p className="form-footer">
          {t('auth.signUp.haveAccount')} <Link to="/signin">{t('nav.signIn')}</Link>
        </p>
      </form>
    </div>
  );
}
