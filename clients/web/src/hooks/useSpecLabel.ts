import { useMemo } from 'react';
import { localized } from '../format';
import { useI18n } from '../i18n';
import { leavesOf, useCategories } from '../taxonomy';

/** A spec key's name in the user's language, from the schema of the commodity (by its key); else the key. */
export function useSpecLabel(categoryKey: string | null | undefined): (key: string) => string {
  const { lang } = useI18n();
  const { categories } = useCategories();
  const schema = useMemo(
    () => (categories && categoryKey ? leavesOf(categories).find((l) => l.leaf.key === categoryKey)?.leaf.specSchema : null) ?? [],
    [categories, categoryKey],
  );
  return (key) => localized(schema.find((s) => s.key === key)?.label, lang) || key;
}
