import { useMemo } from 'react';
import { localized } from '../format';
import { useI18n } from '../i18n';
import type { TextContext } from '../serverText';
import { leavesOf, useCategories } from '../taxonomy';
import { useSpecLabel } from './useSpecLabel';

/** What serverText.ts needs to word the server's coded texts: translations, locale, commodity and spec names. */
export function useTextContext(categoryKey?: string | null): TextContext {
  const { t, locale, lang } = useI18n();
  const { categories } = useCategories();
  const spec = useSpecLabel(categoryKey);
  return useMemo(() => {
    const names = new Map((categories ? leavesOf(categories) : []).map(({ leaf }) => [leaf.key, leaf.name]));
    for (const root of categories ?? []) names.set(root.key, root.name);
    return { t, locale, spec, commodity: (key: string) => localized(names.get(key), lang) || key };
  }, [t, locale, lang, categories, spec]);
}
