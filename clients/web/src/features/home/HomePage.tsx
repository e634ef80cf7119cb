import { useAuth } from '../../auth';
import { useT } from '../../i18n';
import { Link } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';

export function HomePage() {
  const t = useT();
  const { me } = useAuth();
  usePageTitle(t('nav.home'));

  return (
    <div className="home">
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <p className="lead">{t('home.lead')}</p>
        {me === null && (
          <div className="actions">
            <Link to="/signup" className="button button-primary" data-testid="cta-signup">
              {t('home.cta.signUp')}
            </Link>
            <Link to="/signin" className="button" data-testid="cta-signin">
              {t('home.cta.signIn')}
            </Link>
          </div>
        )}
        {me && (
          <>
            <p className="muted">{t('home.signedIn', { email: me.email })}</p>
            <div className="actions">
              {me.organizations.length === 0 ? (
                <Link to="/organization/new" className="button button-primary" data-testid="cta-create-org">
                  {t('home.cta.createOrg')}
                </Link>
              ) : (
                <Link to="/organization" className="button button-primary" data-testid="cta-open-org">
                  {t('home.cta.openOrg')}
                </Link>
              )}
            </div>
          </>
        )}
      </section>
      <section className="features">
        <div className="feature">
          <h2>{t('home.exporters.title')}</h2>
          <p>{t('home.exporters.text')}</p>
        </div>
        <div className="feature">
          <h2>{t('home.buyers.title')}</h2>
          <p>{t('home.buyers.text')}</p>
        </div>
        <div className="feature">
          <h2>{t('home.trust.title')}</h2>
          <p>{t('home.trust.text')}</p>
        </div>
      </section>
    </div>
  );
}
