import { describe, expect, it } from 'vitest';
import type { Category } from '../../api';
import { prefillCategoryId, prefillOf } from './prefill';

describe('buy-request prefill', () => {
  it('reads what a search that found nothing was looking for', () => {
    expect(prefillOf(new URLSearchParams('category=wheat&origin=kz&incoterm=dap&note=protein%2014&quantity=500&price=245.5&currency=CNY'))).toEqual({
      categoryKey: 'wheat',
      originCountry: 'KZ',
      incoterm: 'DAP',
      note: 'protein 14',
      quantity: '500',
      price: '245.5',
      currency: 'CNY',
    });
  });

  it('takes the query text when there is no note, and leaves malformed values for the buyer', () => {
    expect(prefillOf(new URLSearchParams('q=小麦&origin=Kazakhstan&incoterm=XYZ&quantity=lots&price=-3&currency=dollars'))).toEqual({
      categoryKey: null,
      originCountry: null,
      incoterm: null,
      note: '小麦',
      quantity: '',
      price: '',
      currency: null,
    });
    expect(prefillOf(new URLSearchParams('')).note).toBe('');
  });

  it('chooses the commodity by key, never a group', () => {
    const leaf = (id: string, key: string): Category => ({ id, key, name: { en: key }, hsCode: '100199', unit: 't', specSchema: [], children: [] });
    const tree: Category[] = [{ ...leaf('g', 'grains'), hsCode: null, children: [leaf('w', 'wheat'), leaf('b', 'barley')] }];
    expect(prefillCategoryId(tree, 'barley')).toBe('b');
    expect(prefillCategoryId(tree, 'grains')).toBeUndefined();
    expect(prefillCategoryId(tree, null)).toBeUndefined();
  });
});
