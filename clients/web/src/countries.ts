// China plus the SCO member, observer and dialogue-partner countries the platform accepts.
export const countryCodes = [
  'CN', 'RU', 'KZ', 'UZ', 'KG', 'TJ', 'PK', 'IN', 'IR', 'BY', 'MN', 'AF', 'AZ', 'AM',
  'KH', 'NP', 'TR', 'LK', 'BH', 'EG', 'QA', 'SA', 'AE', 'KW', 'MV', 'MM',
] as const;

export type CountryCode = (typeof countryCodes)[number];

const displayNamesCache = new Map<string, Intl.DisplayNames | null>();

/** The country's name in the given locale (falls back to the ISO code). */
export function countryName(code: string, locale: string): string {
  if (!code) return '';
  let names = displayNamesCache.get(locale);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([locale, 'en'], { type: 'region' });
    } catch {
      names = null;
    }
    displayNamesCache.set(locale, names);
  }
  try {
    return names?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** Options for a country select, sorted by name in the given locale. */
export function countryOptions(locale: string): { code: CountryCode; name: string }[] {
  const collator = new Intl.Collator(locale);
  return countryCodes
    .map((code) => ({ code, name: countryName(code, locale) }))
    .sort((a, b) => collator.compare(a.name, b.name));
}
