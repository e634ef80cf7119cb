import { useEffect, useState, type ReactNode } from 'react';
import { useAuth } from '../auth';
import { languageLabel, languages, useI18n, type MessageKey } from '../i18n';
import { Link, navigate, useLocation } from '../router';
import { HomePage } from '../features/home/HomePage';
import { SignInPage } from '../features/accounts/SignInPage';
import { SignUpPage } from '../features/accounts/SignUpPage';
import { ComingSoonPage } from '../features/home/ComingSoonPage';
import { SearchPage } from '../features/search/SearchPage';
import { NotificationBell } from '../features/notifications/NotificationBell';
import { BuyRequestFormPage, BuyRequestPage, BuyRequestsPage } from '../features/buy-requests/BuyRequestPages';
import { OrganizationPage } from '../features/organizations/OrganizationPage';
import { CreateOrganizationPage } from '../features/organizations/CreateOrganizationPage';
import { AdminPage } from '../features/admin/AdminPage';
import { NotFoundPage } from '../features/home/NotFoundPage';
import { ListingsPage } from '../features/listings/ListingsPage';
import { ListingEditorPage } from '../features/listings/ListingEditorPage';
import { ListingPage } from '../features/listings/ListingPage';
import { ListingImportPage } from '../features/listings/ListingImportPage';
import { WarehousesPage } from '../features/warehouses/WarehousesPage';
import { WarehousePage } from '../features/warehouses/WarehousePage';
import { NegotiationRoomPage, NegotiationsPage } from '../features/negotiations/NegotiationPages';
import { DealPage, DealsPage } from '../features/deals/DealPages';

type Capability = {
  path: string;
  testId: string;
  label: MessageKey;
  description: MessageKey;
  /** Built sections have their own pages; the others show "coming soon". */
  ready?: boolean;
};

/** Sections of the marketplace in the main navigation; those not `ready` are announced but not built yet. */
export const capabilities: readonly Capability[] = [
  { path: '/search', testId: 'nav-search', label: 'nav.search', description: 'soon.search', ready: true },
  { path: '/listings', testId: 'nav-listings', label: 'nav.listings', description: 'soon.listings', ready: true },
  { path: '/buy-requests', testId: 'nav-buy-requests', label: 'nav.buyRequests', description: 'soon.buyRequests', ready: true },
  { path: '/negotiations', testId: 'nav-negotiations', label: 'nav.negotiations', description: 'soon.negotiations', ready: true },
  { path: '/deals', testId: 'nav-deals', label: 'nav.deals', description: 'soon.deals', ready: true },
  { path: '/live', testId: 'nav-live', label: 'nav.live', description: 'soon.live' },
  { path: '/warehouses', testId: 'nav-warehouses', label: 'nav.warehouses', description: 'soon.warehouses', ready: true },
];

/** A page for signed-in users only. */
function authed(page: ReactNode): ReactNode {
  return <RequireAuth>{page}</RequireAuth>;
}

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

function route(path: string): ReactNode {
  switch (path) {
    case '/':
      return <HomePage />;
    case '/signin':
      return <SignInPage />;
    case '/signup':
      return <SignUpPage />;
    case '/organization':
      return (
        <RequireAuth>
          <OrganizationPage />
        </RequireAuth>
      );
    case '/organization/new':
      return (
        <RequireAuth>
          <CreateOrganizationPage />
        </RequireAuth>
      );
    case '/admin':
      return (
        <RequireAuth>
          <AdminPage />
        </RequireAuth>
      );
    case '/search':
      return <SearchPage />;
    case '/listings':
      return authed(<ListingsPage />);
    case '/listings/new':
      return authed(<ListingEditorPage />);
    case '/listings/import':
      return authed(<ListingImportPage />);
    case '/warehouses':
      return authed(<WarehousesPage />);
    case '/buy-requests':
      return authed(<BuyRequestsPage />);
    case '/buy-requests/new':
      return authed(<BuyRequestFormPage />);
    case '/negotiations':
      return authed(<NegotiationsPage />);
    case '/deals':
      return authed(<DealsPage />);
  }
  const capability = capabilities.find((c) => c.path === path && !c.ready);
  if (capability) return <ComingSoonPage title={capability.label} description={capability.description} />;

  const listingEdit = /^\/listings\/([^/]+)\/edit$/.exec(path);
  if (listingEdit?.[1]) {
    const id = decodeURIComponent(listingEdit[1]);
    return authed(<ListingEditorPage key={id} id={id} />);
  }
  // A listing's page is public for published listings; the API decides what a visitor may see.
  const listing = /^\/listings\/([^/]+)$/.exec(path);
  if (listing?.[1]) {
    const id = decodeURIComponent(listing[1]);
    return <ListingPage key={id} id={id} />;
  }
  const buyRequest = /^\/buy-requests\/([^/]+)$/.exec(path);
  if (buyRequest?.[1]) {
    const id = decodeURIComponent(buyRequest[1]);
    return authed(<BuyRequestPage key={id} id={id} />);
  }
  const room = /^\/negotiations\/([^/]+)$/.exec(path);
  if (room?.[1]) {
    const id = decodeURIComponent(room[1]);
    return authed(<NegotiationRoomPage key={id} id={id} />);
  }
  const deal = /^\/deals\/([^/]+)$/.exec(path);
  if (deal?.[1]) {
    const id = decodeURIComponent(deal[1]);
    return authed(<DealPage key={id} id={id} />);
  }
  const warehouse = /^\/warehouses\/([^/]+)$/.exec(path);
  if (warehouse?.[1]) {
    const id = decodeURIComponent(warehouse[1]);
    return authed(<WarehousePage key={id} id={id} />);
  }

  const org = /^\/organization\/([^/]+)$/.exec(path);
  if (org?.[1]) {
    return (
      <RequireAuth>
        <OrganizationPage id={decodeURIComponent(org[1])} />
      </RequireAuth>
    );
  }
  return <NotFoundPage />;
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
                onClick={() => setLang(l)}
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
