import { describe, expect, it } from 'vitest';
import {
  decimalText,
  formatDecimal,
  formatDecimalFixed,
  formatFileSize,
  formatMoney,
  formatPrice,
  formatQuantity,
  normalizeDecimalInput,
  roundDecimalText,
} from './format';
import { localeOf, translatorFor, type Language } from './i18n';

const nbsp = '\u00a0';
const at = (lang: Language) => ({ locale: localeOf[lang], t: translatorFor(lang) });

describe('money and quantities per locale', () => {
  it('groups a quantity with the locale separators and names the unit from the dictionary', () => {
    const q = { value: '12345.678', unit: 't' };
    expect(formatQuantity(q, at('en').locale, at('en').t)).toBe('12,345.678 t');
    expect(formatQuantity(q, at('ru').locale, at('ru').t)).toBe(`12${nbsp}345,678 т`);
    expect(formatQuantity(q, at('zh').locale, at('zh').t)).toBe('12,345.678 吨');
  });

  it('writes a price per unit with the currency code', () => {
    const p = { amount: 245.5, currency: 'USD', unit: 't' };
    expect(formatPrice(p, at('en').locale, at('en').t)).toBe('245.5 USD/t');
    expect(formatPrice(p, at('ru').locale, at('ru').t)).toBe('245,5 USD/т');
    expect(formatPrice({ ...p, unit: 'm3' }, at('zh').locale, at('zh').t)).toBe('245.5 USD/立方米');
  });

  it('keeps every digit of a decimal a double cannot hold', () => {
    expect(formatDecimal('123456789012345678.99', 'en')).toBe('123,456,789,012,345,678.99');
    expect(formatMoney({ amount: '144900.10', currency: 'USD' }, 'ru')).toBe(`144${nbsp}900,10 USD`);
  });

  it('expands exponent forms and keeps the sign', () => {
    expect(decimalText(1e21)).toBe('1000000000000000000000');
    expect(decimalText('1.5e-7')).toBe('0.00000015');
    expect(formatDecimal('-1234.5', 'en')).toBe('-1,234.5');
  });

  it('rounds half away from zero by digits, not through a double', () => {
    expect(roundDecimalText('2.675', 2)).toBe('2.68');
    expect(roundDecimalText('-0.004', 2)).toBe('0.00');
    expect(roundDecimalText('9.995', 2)).toBe('10.00');
    expect(formatDecimalFixed('1234.5', 2, 'ru')).toBe(`1${nbsp}234,50`);
  });

  it('reads what a user typed with spaces or a decimal comma', () => {
    expect(normalizeDecimalInput(' 1 234,5 ')).toBe('1234.5');
    expect(normalizeDecimalInput('1,234.5')).toBe('1,234.5');
  });

  it('writes nothing for a missing amount', () => {
    expect(formatQuantity(null, 'en', at('en').t)).toBe('');
    expect(formatMoney(undefined, 'en')).toBe('');
  });

  it('writes file sizes in the locale units', () => {
    expect(formatFileSize(1.5 * 1024 * 1024, 'en')).toBe('1.5 MB');
    expect(formatFileSize(1.5 * 1024 * 1024, 'ru')).toMatch(/^1,5\sМБ$/);
    expect(formatFileSize(10, 'en')).toBe('1 kB');
  });

  it('writes the amounts of issue 14 as the pages do: "459,000 USD", per-unit prices with the dictionary unit', () => {
    expect(formatMoney({ amount: 459000, currency: 'USD' }, at('zh').locale)).toBe('459,000 USD');
    expect(formatMoney({ amount: '459000', currency: 'USD' }, at('ru').locale)).toBe(`459${nbsp}000 USD`);
    expect(formatPrice({ amount: '241.5', currency: 'USD', unit: 't' }, at('zh').locale, at('zh').t)).toBe('241.5 USD/吨');
    expect(formatPrice({ amount: '241.5', currency: 'USD', unit: 't' }, at('ru').locale, at('ru').t)).toBe('241,5 USD/т');
  });
});
