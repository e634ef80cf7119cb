import { useEffect, useState } from 'react';
import { api, type CompanyProfile } from '../../api';
import { Icon } from '../../components/Icon';
import { FormErrors } from '../../components/FormErrors';
import { countryName } from '../../countries';
import { errorMessages } from '../../errors';
import { formatCount, formatDate, formatPrice, formatQuantity, localized } from '../../format';
import { useI18n, type MessageKey } from '../../i18n';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Link } from '../../router';
import { timeLeftText } from '../dashboard/timeLeft';

const kindKeys: Record<CompanyProfile['kind'], MessageKey> = {
  exporter: 'org.kind.exporter',
  importer: 'org.kind.importer',
  both: 'org.kind.both',
};

/** A company's public profile: open to everyone, public facts and published listings only. */
export function CompanyPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const [profile, setProfile] = useState<CompanyProfile | null>(null);
  const [error, setError] = useState<unknown>(null);
  usePageTitle(profile?.name ?? t('profile.eyebrow'));

  useEffect(() => {
    const controller = new AbortController();
    api
      .companyProfile(id, controller.signal)
      .then(setProfile)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, [id]);

  if (error !== null) return <FormErrors messages={errorMessages(error, t)} />;
  if (!profile) return <p className="muted">{t('app.loading')}</p>;
  return (
    <div className="company" data-testid="company-profile">
      <p className="eyebrow">
        <Icon name="building" /> {t('profile.eyebrow')}
      </p>
      <h1 data-testid="company-name">
        {profile.name}{' '}
        {profile.verified && (
          <span className="badge badge-verified">
            <Icon name="verified" /> {t('search.verified')}
          </span>
        )}
      </h1>
      <dl className="facts">
        <dt>{t('profile.country')}</dt>
        <dd>{countryName(profile.countryCode, locale)}</dd>
        <dt>{t('profile.kind')}</dt>
        <dd>{t(kindKeys[profile.kind])}</dd>
        <dt>{t('profile.verifiedSince')}</dt>
        <dd data-testid="company-verified-since">{profile.verifiedSince ? formatDate(profile.verifiedSince, locale) : t('profile.notVerified')}</dd>
        <dt>{t('profile.memberSince')}</dt>
        <dd>{formatDate(profile.memberSince, locale)}</dd>
        <dt>{t('profile.publishedListings')}</dt>
        <dd>{formatCount(profile.publishedListings, locale)}</dd>
        <dt>{t('profile.dealsCompleted')}</dt>
        <dd data-testid="company-deals">{formatCount(profile.dealsCompleted, locale)}</dd>
        <dt>{t('profile.medianResponse')}</dt>
        <dd>{profile.medianFirstResponseSeconds === null ? t('profile.noResponse') : timeLeftText(profile.medianFirstResponseSeconds, t)}</dd>
      </dl>
      <h2>{t('profile.listings')}</h2>
      <ul className="card-list">
        {profile.listings.map((l) => (
          <li key={l.id} data-testid="company-listing">
            <Link to={`/listings/${encodeURIComponent(l.id)}`}>{localized(l.title, lang)}</Link>
            <div className="small">
              {formatPrice(l.price, locale, t)} · {formatQuantity(l.quantity, locale, t)} · {countryName(l.originCountry, locale)}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
