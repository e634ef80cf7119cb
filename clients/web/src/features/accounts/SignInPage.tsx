import { useState, type FormEvent } from 'react';
import type { Me } from '../../api';
import { isStaff, useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { signInErrorMessages } from '../../errors';
import { useT } from '../../i18n';
import { Link, navigate, useLocation } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Field } from '../../components/Field';

/**
 * Where to go after signing in: a safe local `next`; else the admin queue for staff
 * without an organization; else registering one; else the day's dashboard.
 */
export function afterSignIn(next: string | null, me: Me | null): string {
  if (next && next.startsWith('/') && !next.startsWith('//')) return next;
  if (me && isStaff(me) && me.organizations.length === 0) return '/admin';
  if (me && me.organizations.length === 0) return '/organization';
  return '/dashboard';
}

export function SignInPage() {
  const t = useT();
  const { me, signIn } = useAuth();
  const { query } = useLocation();
  const next = query.get('next');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  usePageTitle(t('auth.signIn.title'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: string[] = [];
    if (!email.trim()) problems.push(t('auth.error.emailRequired'));
    if (!password) problems.push(t('auth.error.passwordRequired'));
    setErrors(problems);
    if (problems.length) return;

    setBusy(true);
    try {
      const signedIn = await signIn(email.trim(), password);
      navigate(afterSignIn(next, signedIn), { replace: true });
    } catch (err) {
      setErrors(signInErrorMessages(err, t));
      setBusy(false);
    }
  }

  return (
    <div className="page auth-page">
      <h1>{t('auth.signIn.title')}</h1>
      {next && !me && <p className="notice notice-info">{t('auth.signIn.required')}</p>}
      {me && <p className="notice notice-info">{t('auth.signIn.alreadySignedIn', { email: me.email })}</p>}
      <form className="panel form" onSubmit={submit} noValidate>
        <FormErrors messages={errors} />
        <Field
          id="signin-email"
          label={t('auth.email')}
          type="email"
          autoComplete="username"
          data-testid="signin-email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          autoFocus
        />
        <Field
          id="signin-password"
          label={t('auth.password')}
          type="password"
          autoComplete="current-password"
          data-testid="signin-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="signin-submit" disabled={busy}>
            {busy ? t('auth.working') : t('auth.signIn.submit')}
          </button>
        </div>
        <p className="form-footer">
          {t('auth.signIn.noAccount')} <Link to="/signup">{t('nav.signUp')}</Link>
        </p>
      </form>
    </div>
  );
}
