import { describe, expect, it } from 'vitest';
import type { ImportReference } from '../../api';
import { matchesFilter, referenceTables } from './importReference';

const reference: ImportReference = {
  columns: ['category', 'specs'],
  categories: [
    {
      key: 'wheat',
      group: 'grains',
      name: { en: 'Wheat', ru: 'Пшеница', zh: '小麦' },
      hsCode: '100199',
      unit: 't',
      specs: [
        { key: 'protein', label: { en: 'Protein', ru: 'Белок', zh: '蛋白质' }, type: 'number', unit: '%', min: 8, max: 18, required: true, options: [] },
        { key: 'class', label: { en: 'Class', ru: 'Класс', zh: '等级' }, type: 'enum', unit: null, min: null, max: null, required: false, options: ['1', '2', '3'] },
      ],
    },
    { key: 'iron-ore', group: 'ores', name: { en: 'Iron ore', ru: 'Железная руда', zh: '铁矿石' }, hsCode: '260111', unit: 't', specs: [
      { key: 'fe', label: { en: 'Fe content', ru: 'Содержание Fe', zh: '铁含量' }, type: 'number', unit: '%', min: 50, max: 70, required: true, options: [] },
    ] },
  ],
  paymentTerms: ['lc_sight', 'tt_advance'],
  incoterms: [{ code: 'DAP', seaOnly: false }, { code: 'FOB', seaOnly: true }],
  deliveryModes: ['rail', 'sea'],
  units: ['kg', 't'],
  currencies: ['CNY', 'USD'],
  packagings: ['bulk'],
  certificates: { freeText: true, maxCount: 10, maxLength: 60, separator: ';' },
};

describe('the import reference', () => {
  it('lists every code with its English, Russian and Chinese names from the API and the dictionaries', () => {
    const all = referenceTables(reference, '', 'sea only');
    expect(all.categories.map((c) => [c.code, ...c.labels, c.hsCode, c.unit])).toEqual([
      ['wheat', 'Wheat', 'Пшеница', '小麦', '100199', 't'],
      ['iron-ore', 'Iron ore', 'Железная руда', '铁矿石', '260111', 't'],
    ]);
    expect(all.specs.map((s) => `${s.category}.${s.code}`)).toEqual(['wheat.protein', 'wheat.class', 'iron-ore.fe']);
    expect(all.paymentTerms.find((p) => p.code === 'lc_sight')?.labels).toEqual(['L/C at sight', 'Аккредитив по предъявлении', '即期信用证']);
    expect(all.incoterms.map((i) => [i.code, i.note])).toEqual([['DAP', undefined], ['FOB', 'sea only']]);
    expect(all.deliveryModes.map((m) => m.labels[0])).toEqual(['Rail', 'Sea']);
    expect(all.units.find((u) => u.code === 't')?.labels).toEqual([null, 'т', '吨']);
    expect(all.currencies.map((c) => c.code)).toEqual(['CNY', 'USD']);
  });

  it('filters by every word in codes and names of any language, keeping a matching commodity whole', () => {
    const wheat = referenceTables(reference, '小麦', '');
    expect(wheat.categories.map((c) => c.code)).toEqual(['wheat']);
    expect(wheat.specs.map((s) => s.code)).toEqual(['protein', 'class']);
    expect(wheat.paymentTerms).toEqual([]);

    const protein = referenceTables(reference, 'БЕЛОК', '');
    expect(protein.categories).toEqual([]);
    expect(protein.specs.map((s) => s.code)).toEqual(['protein']);

    expect(referenceTables(reference, 'lc_', '').paymentTerms.map((p) => p.code)).toEqual(['lc_sight']);
    expect(referenceTables(reference, '2601', '').categories.map((c) => c.code)).toEqual(['iron-ore']);
    expect(referenceTables(reference, 'sea only', 'sea only').incoterms.map((i) => i.code)).toEqual(['FOB']);
  });

  it('needs every word of the filter', () => {
    expect(matchesFilter('iron ore', ['iron-ore', 'Iron ore'])).toBe(true);
    expect(matchesFilter('iron wheat', ['iron-ore', 'Iron ore'])).toBe(false);
    expect(matchesFilter('  ', ['anything'])).toBe(true);
    expect(matchesFilter('18', [null, 18])).toBe(true);
  });
});
