import { useEffect, useState, type ReactNode } from 'react';
import { useAuth } from '../auth';
import { api } from '../api';
import { languageLabel, languages, useI18n, type Language } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { NotFoundPage } from '../features/home/NotFoundPage';
import { NotificationBell } from '../features/notifications';
import { matchRoute } from './matchRoute';
import { capabilities, routes } from './routes';

export function App() {
  const { path } = useLocation();
  return (
    <div className="app">
      <Header />
      <main id="main" className="main" tabIndex={-1}>
        <div className="container">{route(path)}</div>
      </main>
      <Footer />
    </div>
  );
}

/** The page of the address, from the route table; signed-in pages wait for (or ask for) the session. */
function route(path: string): ReactNode {
  const found = matchRoute(routes, path);
  if (!found) return <NotFoundPage />;
  const page = found.route.page(found.params);
  return found.route.auth ? <RequireAuth>{page}</RequireAuth> : page;
}

/** Renders its children for a signed-in user, otherwise sends the visitor to the sign-in page. */
function RequireAuth({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  const { t } = useI18n();
  const location = useLocation();
  const qs = location.query.toString();
  const here = location.path + (qs ? `?${qs}` : '');

  useEffect(() => {
    if (me === null) navigate(`/signin?next=${encodeURIComponent(here)}`, { replace: true });
  }, [me, here]);

  if (me === undefined) return <p className="muted">{t('app.loading')}</p>;
  if (me === null) return null;
  return <>{children}</>;
}

function Header() {
  const { t, lang, setLang } = useI18n();
  const { me, isStaff, signOut } = useAuth();
  const [signingOut, setSigningOut] = useState(false);

  /** The language of the page, and for a signed-in user also of their mail (kept with their preferences). */
  function chooseLanguage(l: Language) {
    setLang(l);
    if (me) {
      api
        .preferences()
        .then((p) => (p.language === l ? undefined : api.savePreferences({ ...p, language: l })))
        .catch(() => undefined);
    }
  }

  async function handleSignOut() {
    setSigningOut(true);
    try {
      await signOut();
    } catch {
      // the session is dropped on the client anyway
    } finally {
      setSigningOut(false);
      navigate('/');
    }
  }

  return (
    <header className="topbar">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <div className="container topbar-row">
        <Link to="/" className="brand" data-testid="nav-home" title={t('nav.home')}>
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">{t('app.brand')}</span>
        </Link>
        <span className="tagline">{t('app.tagline')}</span>
        <div className="topbar-tools">
          <div className="lang-switch" role="group" aria-label={t('nav.language')}>
            {languages.map((l) => (
              <button
                key={l}
                type="button"
                className="lang-button"
                data-testid={`lang-${l}`}
                aria-pressed={lang === l}
                lang={l === 'zh' ? 'zh-CN' : l}
                onClick={() => chooseLanguage(l)}
              >
                {languageLabel[l]}
              </button>
            ))}
          </div>
          {me ? (
            <div className="user-box">
              <NotificationBell />
              <span className="user-email" data-testid="user-email" title={t('nav.signedInAs')}>
                {me.email}
              </span>
              <button
                type="button"
                className="button button-small button-ghost"
                data-testid="nav-signout"
                onClick={handleSignOut}
                disabled={signingOut}
              >
                {t('nav.signOut')}
              </button>
            </div>
          ) : me === null ? (
            <div className="user-box">
              <Link to="/signin" className="button button-small button-ghost" data-testid="nav-signin">
                {t('nav.signIn')}
              </Link>
              <Link to="/signup" className="button button-small button-primary" data-testid="nav-signup">
                {t('nav.signUp')}
              </Link>
            </div>
          ) : null}
        </div>
      </div>
      <nav className="navbar" aria-label={t('nav.main')}>
        <div className="container navbar-row">
          <ul className="nav-list">
            {capabilities.map((c) => (
              <li key={c.path}>
                <Link to={c.path} className="nav-link" data-testid={c.testId} matchPrefix>
                  {t(c.label)}
                </Link>
              </li>
            ))}
          </ul>
          {me && (
            <ul className="nav-list nav-list-end">
              <li>
                <Link to="/dashboard" className="nav-link" data-testid="nav-dashboard" matchPrefix>
                  {t('dashboard.title')}
                </Link>
              </li>
              <li>
                <Link to="/organization" className="nav-link" data-testid="nav-organization" matchPrefix>
                  {t('nav.organization')}
                </Link>
              </li>
              {isStaff && (
                <li>
                  <Link to="/admin" className="nav-link" data-testid="nav-admin">
                    {t('nav.admin')}
                  </Link>
                </li>
              )}
            </ul>
          )}
        </div>
      </nav>
    </header>
  );
}

function Footer() {
  const { t } = useI18n();
  return (
    <footer className="footer">
      <div className="container">{t('app.footer')}</div>
    </footer>
  );
}
