import { useEffect, useState, type FormEvent } from 'react';
import { api, type Landing } from '../../api';
import { useAuth } from '../../auth';
import { Icon } from '../../components/Icon';
import { countryName } from '../../countries';
import { formatCount, formatPrice, formatQuantity, localized } from '../../format';
import { UpcomingSessions } from '../../components/UpcomingSessions';
import { useI18n } from '../../i18n';
import { Link, navigate } from '../../router';
import { usePageTitle } from '../../hooks/usePageTitle';

/** The landing page, for everyone: search, commodity families with live counts, recent verified listings, live sessions. */
export function HomePage() {
  const { t, lang, locale } = useI18n();
  const { me } = useAuth();
  const [landing, setLanding] = useState<Landing | null>(null);
  const [q, setQ] = useState('');
  usePageTitle(t('nav.home'));

  useEffect(() => {
    const controller = new AbortController();
    api
      .landing(controller.signal)
      .then(setLanding)
      .catch(() => undefined);
    return () => controller.abort();
  }, []);

  function search(e: FormEvent) {
    e.preventDefault();
    const text = q.trim();
    navigate(text ? `/search?q=${encodeURIComponent(text)}` : '/search');
  }

  return (
    <div className="home">
      <section className="hero">
        <h1>{t('home.title')}</h1>
        <p className="lead">{t('home.lead')}</p>
        <form className="landing-search" role="search" onSubmit={search}>
          <input
            type="search"
            aria-label={t('landing.searchLabel')}
            placeholder={t('landing.searchPlaceholder')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            data-testid="landing-search"
          />
          <button type="submit" className="button button-primary" data-testid="landing-search-submit">
            <Icon name="search" /> {t('landing.search')}
          </button>
        </form>
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
          <div className="actions">
            {me.organizations.length === 0 ? (
              <Link to="/organization/new" className="button button-primary" data-testid="cta-create-org">
                {t('home.cta.createOrg')}
              </Link>
            ) : (
              <Link to="/dashboard" className="button button-primary" data-testid="cta-dashboard">
                {t('landing.openDashboard')}
              </Link>
            )}
          </div>
        )}
      </section>

      <section>
        <h2>{t('landing.families')}</h2>
        <ul className="family-grid" data-testid="landing-families">
          {(landing?.families ?? []).map((f) => (
            <li key={f.key} data-testid="landing-family" data-key={f.key}>
              <Link to={`/search?category=${encodeURIComponent(f.key)}`}>
                <strong>{localized(f.name, lang)}</strong>
                <div className="muted small" data-testid="landing-family-count">
                  {t('landing.familyCount', { n: formatCount(f.count, locale) })}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>{t('landing.recent')}</h2>
        {landing && landing.recentListings.length === 0 && <p className="muted">{t('landing.noRecent')}</p>}
        <ul className="card-list" data-testid="landing-recent">
          {(landing?.recentListings ?? []).map((l) => (
            <li key={l.id} data-testid="landing-listing">
              <Link to={`/listings/${encodeURIComponent(l.id)}`}>{localized(l.title, lang)}</Link>
              <div className="small">
                {formatPrice(l.price, locale, t)} · {formatQuantity(l.quantity, locale, t)} · {countryName(l.originCountry, locale)}
              </div>
              <div className="muted small">
                <Link to={`/companies/${encodeURIComponent(l.seller.id)}`}>{l.seller.name}</Link> <Icon name="verified" title={t('search.verified')} />
              </div>
            </li>
          ))}
        </ul>
      </section>

      <section>
        <h2>
          <Icon name="live" /> {t('landing.sessions')}
        </h2>
        {landing && landing.upcomingSessions.length === 0 && <p className="muted">{t('landing.noSessions')}</p>}
        <UpcomingSessions sessions={landing?.upcomingSessions ?? []} testId="landing-sessions" />
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
