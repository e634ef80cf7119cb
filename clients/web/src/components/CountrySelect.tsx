import { useMemo, type SelectHTMLAttributes } from 'react';
import { countryOptions } from '../countries';
import { useI18n } from '../i18n';

/** A country by ISO code, names in the user's language and sorted for it, with an empty "choose" first. */
export function CountrySelect(props: Omit<SelectHTMLAttributes<HTMLSelectElement>, 'children'> & { 'data-testid'?: string }) {
  const { t, locale } = useI18n();
  const countries = useMemo(() => countryOptions(locale), [locale]);
  return (
    <select {...props}>
      <option value="">{t('org.field.countryPlaceholder')}</option>
      {countries.map((c) => (
        <option key={c.code} value={c.code}>
          {c.name}
        </option>
      ))}
    </select>
  );
}
