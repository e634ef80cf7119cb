import type { Translate } from '../../i18n';

/** "2 d 3 h", "5 h 20 min", "12 min" — the time left on an offer, to the nearest minute. */
export function timeLeftText(seconds: number, t: Translate): string {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${t('dashboard.days', { n: days })} ${t('dashboard.hours', { n: hours })}` : t('dashboard.days', { n: days });
  if (hours > 0) return rest > 0 ? `${t('dashboard.hours', { n: hours })} ${t('dashboard.minutes', { n: rest })}` : t('dashboard.hours', { n: hours });
  return t('dashboard.minutes', { n: rest });
}
