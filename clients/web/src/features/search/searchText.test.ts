import { describe, expect, it } from 'vitest';
import { buyRequestLink, savedQueryOf, searchLinkOf, titleLines, withoutFilters } from './searchText';

const headline = { en: 'Wheat (common, milling), protein 14.7 % — Kostanay region, Kazakhstan', zh: '小麦，蛋白质 14.7% — 哈萨克斯坦 科斯塔奈州' };

describe('titleLines', () => {
  it('shows the headline and the seller’s own title when the seller wrote another language', () => {
    expect(titleLines(headline, { ru: 'Пшеница 3 класса' }, 'zh')).toEqual({ main: headline.zh, own: 'Пшеница 3 класса' });
  });
  it('shows the seller’s title alone when it is in the viewer’s language', () => {
    expect(titleLines(headline, { en: 'Milling wheat' }, 'en')).toEqual({ main: 'Milling wheat', own: null });
  });
  it('falls back to the seller’s title without a headline', () => {
    expect(titleLines(undefined, { ru: 'Пшеница' }, 'zh')).toEqual({ main: 'Пшеница', own: null });
  });
});

describe('dead ends', () => {
  it('drops the suggested filters and keeps the text', () => {
    const next = withoutFilters(new URLSearchParams('q=wheat&origin=KZ&inStock=true&cursor=x'), ['origin', 'inStock']);
    expect(next.toString()).toBe('q=wheat');
  });
  it('prefills a buy request from the search', () => {
    expect(buyRequestLink({ suggestion: null, dropFilters: [], buyRequest: { categoryKey: 'wheat', originCountries: ['KZ'], incoterm: 'DAP', note: 'protein 14' } }))
      .toBe('/buy-requests/new?category=wheat&origin=KZ&incoterm=DAP&note=protein+14');
  });
  it('carries the quantity and price filters into the buy request', () => {
    const help = { suggestion: null, dropFilters: [], buyRequest: { categoryKey: 'wheat', originCountries: [], incoterm: null, note: '小麦' } };
    expect(buyRequestLink(help, new URLSearchParams('q=小麦&minQuantity=500&maxPrice=250&priceCurrency=CNY')))
      .toBe('/buy-requests/new?category=wheat&note=%E5%B0%8F%E9%BA%A6&quantity=500&price=250&currency=CNY');
    expect(buyRequestLink(help, new URLSearchParams('maxPrice=240'))).toBe('/buy-requests/new?category=wheat&note=%E5%B0%8F%E9%BA%A6&price=240&currency=USD');
  });
});

describe('saved searches', () => {
  it('keep the filters of the address and lead back to the same search', () => {
    const query = savedQueryOf(new URLSearchParams('q=wheat&origin=KZ&origin=RU&inStock=true&sort=newest&lang=zh'));
    expect(query).toEqual({ q: 'wheat', origin: ['KZ', 'RU'], inStock: true });
    expect(searchLinkOf(query)).toBe('/search?origin=KZ&origin=RU&q=wheat&inStock=true');
  });
});
