import { describe, expect, it } from 'vitest';
import { translatorFor } from './i18n';
import { keyFor, problemTitle, renderNotification, renderReason, renderSystemEvent } from './serverText';

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
