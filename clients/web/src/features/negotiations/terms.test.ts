import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../i18n';
import { failureMessages, hubFailure, invalidFields } from './hubErrors';
import { offerStatuses } from './roomLog';
import { changeLabel, changeText, termLabels } from './terms';
import type { RoomEvent } from '../../api';

const en = { t: translatorFor('en'), locale: 'en', warehouse: (id: string) => `Warehouse ${id}` };

describe("a counter-offer's changes", () => {
  it('writes price and quantity with the locale formatter and the dictionary units', () => {
    expect(changeText('price', '236 USD/t', en)).toBe('236 USD/t');
    expect(changeText('quantity', '6000.5 t', en)).toBe('6,000.5 t');
    const zh = { ...en, t: translatorFor('zh'), locale: 'zh-CN' };
    expect(changeText('price', '1241.5 USD/t', zh)).toBe('1,241.5 USD/吨');
    expect(changeText('quantity', '600 t', zh)).toBe('600 吨');
    expect(changeText('price', 'not a price', zh)).toBe('not a price');
  });

  it('translates codes, names warehouses and writes the delivery window as dates', () => {
    expect(changeText('deliveryMode', 'rail', en)).toBe('Rail');
    expect(changeText('deliveryMode', 'rail', { ...en, t: translatorFor('ru'), locale: 'ru' })).toBe('Железная дорога');
    expect(changeText('paymentTerms', 'lc_sight', en)).toBe('L/C at sight');
    expect(changeText('tolerancePercent', '5', en)).toBe('±5%');
    expect(changeText('sourceWarehouseId', 'w1', en)).toBe('Warehouse w1');
    expect(changeText('deliveryWindow', '2026-12-01..2026-12-31', en)).toBe('Dec 1, 2026 – Dec 31, 2026');
  });

  it('shows a dash for a term that was added or removed', () => {
    expect(changeText('inspectionBody', null, en)).toBe('—');
    expect(changeText('inspectionBody', '', en)).toBe('—');
  });

  it('names a term by its label and a spec by the commodity schema', () => {
    const labels = termLabels(en.t);
    expect(changeLabel('price', labels, (k) => k)).toBe('Price');
    expect(changeLabel('specs.protein', labels, (k) => (k === 'protein' ? 'Protein' : k))).toBe('Protein');
    expect(changeLabel('somethingNew', labels, (k) => k)).toBe('somethingNew');
  });
});

describe('refused hub calls', () => {
  it('reads the stable code after SignalR prefix', () => {
    const failure = hubFailure(new Error("An unexpected error occurred invoking 'MakeOffer' on the server. HubException: conflict: The offer was answered."));
    expect(failure).toEqual({ code: 'conflict', detail: 'The offer was answered.' });
    expect(hubFailure(new Error('WebSocket closed'))).toEqual({ code: null, detail: 'WebSocket closed' });
  });

  it('lists an invalid refusal by field, a message holding "; " included', () => {
    expect(invalidFields('terms.price.amount: Required.; deliveryWindow.to: On or after from; not before today.')).toEqual({
      'price.amount': ['Required.'],
      'deliveryWindow.to': ['On or after from; not before today.'],
    });
    expect(failureMessages(new Error('HubException: invalid: price.amount: Required.'), en.t, { 'price.amount': 'Price' })).toEqual(['Price: Required.']);
  });
});

describe("offers' statuses from the room log", () => {
  const event = (sequence: number, type: string, payload: Record<string, unknown>): RoomEvent => ({
    roomId: 'r',
    sequence,
    type,
    actor: null,
    at: '2026-12-01T00:00:00Z',
    payload,
    hidden: false,
  });

  it('marks an answered offer countered and a closed one by its closing event', () => {
    const statuses = offerStatuses([
      event(1, 'offer', { offer: { id: 'a' } }),
      event(2, 'counter', { offer: { id: 'b', counterToOfferId: 'a' } }),
      event(3, 'offer_accepted', { offerId: 'b' }),
    ]);
    expect(statuses.get('a')).toBe('countered');
    expect(statuses.get('b')).toBe('accepted');
  });
});
