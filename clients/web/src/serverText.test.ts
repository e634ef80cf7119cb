import { describe, expect, it } from 'vitest';
import { translatorFor } from './i18n';
import { ApiError } from './api';
import { errorMessages, fieldMessages } from './errors';
import { keyFor, problemTitle, renderFieldError, renderNotification, renderReason, renderSystemEvent } from './serverText';

const zh = { t: translatorFor('zh'), locale: 'zh-CN', spec: (k: string) => (k === 'protein' ? '蛋白质' : k), commodity: (k: string) => (k === 'wheat' ? '小麦' : k) };
const ru = { t: translatorFor('ru'), locale: 'ru', spec: (k: string) => (k === 'protein' ? 'белок' : k), commodity: (k: string) => (k === 'wheat' ? 'пшеница' : k) };
const en = { t: translatorFor('en'), locale: 'en' };

describe('match reasons', () => {
  const within = { code: 'spec_within', params: { key: 'protein', value: '14.7', unit: '%', min: '12', max: '15' }, text: 'spec protein 14.7% within 12–15' };

  it('word a spec range with the spec label in the user language', () => {
    expect(renderReason(within, zh)).toBe('蛋白质 14.7%，在 12–15 范围内');
    expect(renderReason(within, ru)).toBe('белок 14,7% в пределах 12–15');
    expect(renderReason(within, en)).toBe('protein 14.7% within 12–15');
  });

  it('format quantities with the locale grouping and the dictionary unit', () => {
    const covers = { code: 'covers_full', params: { quantity: '459000', unit: 't', percent: '100' }, text: 'covers the full 459000 t' };
    expect(renderReason(covers, zh)).toBe('可满足全部 459,000 吨');
    expect(renderReason(covers, ru)).toBe('покрывает весь объём 459\u00a0000 т');
    expect(renderReason(covers, en)).toBe('covers the full 459,000 t');
  });

  it('fall back to the server English for an unknown code', () => {
    expect(renderReason({ code: 'brand_new', params: {}, text: 'something new' }, zh)).toBe('something new');
  });

  it('name places and one-sided ranges', () => {
    expect(renderReason({ code: 'place_matches', params: { incoterm: 'DAP', place: 'Khorgos' }, text: '' }, zh)).toBe('DAP Khorgos 一致');
    expect(renderReason({ code: 'spec_within', params: { key: 'moisture', value: '13', unit: '%', max: '14' }, text: '' }, en)).toBe('moisture 13% within ≤ 14');
  });
});

describe('notifications', () => {
  it('render offers with the locale formatter and unit labels ("USD/吨", not "USD/t")', () => {
    const offer = {
      code: 'offer_counter',
      params: { listing: 'Пшеница 3 класса', amount: '241.5', currency: 'USD', unit: 't', quantity: '600', quantityUnit: 't' },
      text: 'Counter-offer on …',
      title: 'Counter-offer on …',
    };
    expect(renderNotification(offer, zh)).toBe('「Пшеница 3 класса」有还价：241.5 USD/吨，600 吨');
    expect(renderNotification(offer, ru)).toBe('Встречное предложение по «Пшеница 3 класса»: 241,5 USD/т, 600 т');
  });

  it('render commodities and counts, and deal totals grouped', () => {
    expect(renderNotification({ code: 'match_buyer', params: { count: '9', commodity: 'wheat' }, text: '', title: '' }, zh)).toBe('您的小麦采购需求有新的匹配挂牌：9 条');
    expect(renderNotification({ code: 'deal_agreed', params: { listing: 'Wheat', amount: '459000', currency: 'USD' }, text: '', title: '' }, en)).toBe(
      'Deal agreed on Wheat: 459,000 USD',
    );
  });

  it('word the approval notice with both amounts grouped', () => {
    const approval = { code: 'approval_needed', params: { amount: '1200000', currency: 'USD', threshold: '500000', thresholdCurrency: 'USD' }, text: '', title: '' };
    expect(renderNotification(approval, zh)).toBe('需要另一位所有者批准：1,200,000 USD 超过审批门槛 500,000 USD');
  });

  it('word a saved-search alert with the listing headline in the reader language', () => {
    const alert = {
      code: 'saved_search_match',
      params: { search: 'KZ wheat', listing: 'Wheat, protein 14.7 % — Kazakhstan', listing_ru: 'Пшеница, белок 14,7 % — Казахстан', listing_zh: '小麦，蛋白质 14.7% — 哈萨克斯坦', listingId: 'x' },
      text: 'New listing for your saved search "KZ wheat": Wheat, protein 14.7 % — Kazakhstan',
      title: '',
    };
    expect(renderNotification(alert, zh)).toBe('您保存的搜索「KZ wheat」有新挂牌：小麦，蛋白质 14.7% — 哈萨克斯坦');
    expect(renderNotification(alert, ru)).toBe('Новое предложение по сохранённому поиску «KZ wheat»: Пшеница, белок 14,7 % — Казахстан');
    expect(renderNotification(alert, en)).toBe('New listing for your saved search “KZ wheat”: Wheat, protein 14.7 % — Kazakhstan');
    const withoutChinese = Object.fromEntries(Object.entries(alert.params).filter(([name]) => name !== 'listing_zh'));
    expect(renderNotification({ ...alert, params: withoutChinese }, zh)).toBe('您保存的搜索「KZ wheat」有新挂牌：Wheat, protein 14.7 % — Kazakhstan');
  });

  it('show notices made before codes as the server wrote them', () => {
    expect(renderNotification({ code: null, params: {}, text: '', title: 'New negotiation' }, zh)).toBe('New negotiation');
  });
});

describe('system events and problems', () => {
  it('word room events by code', () => {
    expect(renderSystemEvent({ action: 'room_opened', code: 'room_opened', text: 'The negotiation was opened.' }, zh.t)).toBe(zh.t('negotiation.event.room_opened'));
    expect(renderSystemEvent({ code: 'session_started', text: 'Opened from a live session.' }, zh.t)).toBe('Opened from a live session.');
  });

  it('word problem codes and leave unknown ones to the server', () => {
    expect(problemTitle('not_found', ru.t)).toBe(ru.t('error.notFound'));
    expect(problemTitle('teapot', ru.t)).toBeNull();
    expect(keyFor('reason', 'origin')).toBe('reason.origin');
    expect(keyFor('reason', 'constructor')).toBeNull();
  });
});

describe('field errors', () => {
  const coded = (code: string, params: Record<string, string> = {}, message = 'English.') => ({ field: 'f', code, params, message });

  it('word the common rules in the user language with locale numbers and unit labels', () => {
    expect(renderFieldError(coded('required'), zh.t, 'zh-CN')).toBe('必填。');
    expect(renderFieldError(coded('too_long', { max: '2000' }), ru.t, 'ru')).toBe('Не более 2\u00a0000 символов.');
    expect(renderFieldError(coded('out_of_range', { min: '8', max: '18.5', unit: '%' }), ru.t, 'ru')).toBe('От 8 до 18,5%.');
    expect(renderFieldError(coded('out_of_range', { min: '100', max: '5000', unit: 't' }), zh.t, 'zh-CN')).toBe('应在 100 至 5,000 吨 之间。');
    expect(renderFieldError(coded('out_of_range', { min: '0' }), en.t, 'en')).toBe('At least 0.');
    expect(renderFieldError(coded('not_allowed', { allowed: 'en, ru, zh' }), zh.t, 'zh-CN')).toBe('可选值：en, ru, zh。');
    expect(renderFieldError(coded('invalid_format', { format: 'country' }), ru.t, 'ru')).toBe('Двухбуквенный код страны ISO, например KZ.');
    expect(renderFieldError(coded('invalid_format', { format: 'positive_decimal', decimals: '3' }), zh.t, 'zh-CN')).toBe('正数，最多 3 位小数。');
    expect(renderFieldError(coded('invalid_format', { format: 'category' }), ru.t, 'ru')).toBe('Выберите товар из списка (не группу).');
  });

  it('fall back to the server English for unknown codes and formats', () => {
    expect(renderFieldError(coded('invalid', {}, 'Choose a commodity, not a group.'), zh.t, 'zh-CN')).toBe('Choose a commodity, not a group.');
    expect(renderFieldError(coded('invalid_format', { format: 'teapot' }, 'Short and stout.'), zh.t, 'zh-CN')).toBe('Short and stout.');
  });

  it('turn a 400 into messages by field, keeping fields the server sent no code for', () => {
    const error = new ApiError(400, {
      errors: { name: ['Required.'], Language: ['One of en, ru, zh.'], note: ['Something else.'] },
      fieldErrors: [
        { field: 'name', code: 'required', params: {}, message: 'Required.' },
        { field: 'Language', code: 'not_allowed', params: { allowed: 'en, ru, zh' }, message: 'One of en, ru, zh.' },
      ],
    });
    expect(fieldMessages(error, zh.t, 'zh-CN')).toEqual({ name: ['必填。'], language: ['可选值：en, ru, zh。'], note: ['Something else.'] });
    expect(errorMessages(error, ru.t, { name: 'Название' }, 'ru')).toEqual(['Название: Обязательное поле.', 'Допустимые значения: en, ru, zh.', 'Something else.']);
    expect(fieldMessages(new Error('x'), zh.t)).toEqual({});
  });
});
