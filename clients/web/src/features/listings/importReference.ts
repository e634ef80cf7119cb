// The import reference page's pure part: every code the CSV import accepts as rows with their EN/RU/ZH labels, and the
// filter that narrows them (every word of the filter must appear in a row's code, labels, HS code or unit).
import type { ImportReference } from '../../api';
import { languages, translatorFor, type Translate } from '../../i18n';
import { modeLabel, packagingLabel, termLabel, unitLabel } from '../../labels';

/** A row's names in English, Russian and Chinese (null where neither the API nor the dictionaries name it). */
export type Labels = readonly (string | null)[];

export type CodeRow = { code: string; labels: Labels; note?: string };
export type CategoryRow = { code: string; labels: Labels; group: string; hsCode: string; unit: string };
export type SpecRow = {
  category: string;
  code: string;
  labels: Labels;
  unit: string | null;
  min: number | string | null;
  max: number | string | null;
  required: boolean;
  options: string[];
};

export type ReferenceTables = {
  categories: CategoryRow[];
  specs: SpecRow[];
  paymentTerms: CodeRow[];
  incoterms: CodeRow[];
  deliveryModes: CodeRow[];
  packagings: CodeRow[];
  units: CodeRow[];
  currencies: CodeRow[];
};

const translators: readonly Translate[] = languages.map(translatorFor);

/** The code's label in each language through one of labels.ts's functions; null where the dictionary has no word for it. */
function dictionaryLabels(code: string, label: (code: string, t: Translate) => string): Labels {
  return translators.map((t) => {
    const text = label(code, t);
    return text && text !== code ? text : null;
  });
}

const codeRows = (codes: readonly string[], label?: (code: string, t: Translate) => string): CodeRow[] =>
  codes.map((code) => ({ code, labels: label ? dictionaryLabels(code, label) : languages.map(() => null) }));

/** Every word of the filter (case-insensitive) appears in one of the texts; an empty filter keeps everything. */
export function matchesFilter(filter: string, texts: readonly (string | number | null | undefined)[]): boolean {
  const words = filter.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = texts.filter((x) => x !== null && x !== undefined).join(' ').toLocaleLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** The reference as tables, narrowed by the filter; a category that matches keeps all its spec keys. */
export function referenceTables(reference: ImportReference, filter: string, seaOnlyNote: string): ReferenceTables {
  const keep = <T extends { code: string; labels: Labels }>(rows: T[], extra: (row: T) => (string | number | null | undefined)[] = () => []) =>
    rows.filter((row) => matchesFilter(filter, [row.code, ...row.labels, ...extra(row)]));

  const categories: CategoryRow[] = reference.categories.map((c) => ({
    code: c.key,
    labels: languages.map((l) => c.name[l] ?? null),
    group: c.group,
    hsCode: c.hsCode,
    unit: c.unit,
  }));
  const shownCategories = keep(categories, (c) => [c.group, c.hsCode, c.unit]);
  const matchedCategories = new Set(shownCategories.map((c) => c.code));
  const specs: SpecRow[] = reference.categories.flatMap((c) =>
    c.specs.map((s) => ({
      category: c.key,
      code: s.key,
      labels: languages.map((l) => s.label[l] ?? null),
      unit: s.unit,
      min: s.min,
      max: s.max,
      required: s.required,
      options: s.options,
    })),
  );

  return {
    categories: shownCategories,
    specs: specs.filter((s) => matchedCategories.has(s.category) || matchesFilter(filter, [s.code, ...s.labels, s.unit, ...s.options])),
    paymentTerms: keep(codeRows(reference.paymentTerms, termLabel)),
    incoterms: keep(reference.incoterms.map((i) => ({ code: i.code, labels: languages.map(() => null), note: i.seaOnly ? seaOnlyNote : undefined })), (i) => [i.note]),
    deliveryModes: keep(codeRows(reference.deliveryModes, modeLabel)),
    packagings: keep(codeRows(reference.packagings, packagingLabel)),
    units: keep(codeRows(reference.units, unitLabel)),
    currencies: keep(codeRows(reference.currencies)),
  };
}
