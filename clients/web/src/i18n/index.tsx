import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import en, { type Dictionary, type MessageKey } from './en';
import ru from './ru';
import zh from './zh';

export type Language = 'en' | 'ru' | 'zh';
export type { MessageKey };

export const languages: readonly Language[] = ['en', 'ru', 'zh'];

const dictionaries: Record<Language, Dictionary> = { en, ru, zh };

/** BCP 47 tag used for <html lang> and for Intl formatting. */
export const localeOf: Record<Language, string> = { en: 'en', ru: 'ru', zh: 'zh-CN' };

/** How each language names itself on the switcher. */
export const languageLabel: Record<Language, string> = { en: 'EN', ru: 'RU', zh: '中文' };

const storageKey = 'scoda.lang';

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved && (languages as readonly string[]).includes(saved)) return saved as Language;
  } catch {
    // storage unavailable (private mode): fall through
  }
  const browser = (typeof navigator !== 'undefined' ? navigator.language : 'en').toLowerCase();
  if (browser.startsWith('ru')) return 'ru';
  if (browser.startsWith('zh')) return 'zh';
  return 'en';
}

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** The translate function of a language: its dictionary, else English, else the key itself. */
export function translatorFor(lang: Language): Translate {
  const dict = dictionaries[lang];
  return (key, params) => format(dict[key] ?? en[key] ?? key, params);
}

type I18nValue = {
  lang: Language;
  locale: string;
  setLang: (lang: Language) => void;
  t: Translate;
};

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);

  const setLang = useCallback((next: Language) => {
    setLangState(next);
    try {
      localStorage.setItem(storageKey, next);
    } catch {
      // ignore
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = localeOf[lang];
  }, [lang]);

  const value = useMemo<I18nValue>(() => {
    return { lang, locale: localeOf[lang], setLang, t: translatorFor(lang) };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n must be used inside <I18nProvider>');
  return ctx;
}

/** The translate function of the current language. */
export function useT(): Translate {
  return useI18n().t;
}

/**
 * A translate function that keeps its identity across language changes and always uses the current language:
 * for loaders whose effects must not run again (and reload) when the user switches the language.
 */
export function useStableT(): Translate {
  const t = useT();
  const latest = useRef(t);
  useEffect(() => {
    latest.current = t;
  });
  return useCallback<Translate>((key, params) => latest.current(key, params), []);
}
