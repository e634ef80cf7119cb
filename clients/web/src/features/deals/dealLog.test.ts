import { describe, expect, it } from 'vitest';
import type { ChecklistItem, DealEvent } from '../../api';
import { translatorFor } from '../../i18n';
import { actorSide, availableActions, isRetryable, keyAfter, lastSequence, mergeEvents, payActions, steps, subtractDecimals, summarizeChecklist } from './dealLog';
import { dealStatusLabel, documentKindLabel, eventLine } from './labels';

const event = (sequence: number, to: string, at: string, from: string | null = null): DealEvent => ({ sequence, kind: 'transition', from, to, at });

describe("a deal's log", () => {
  it('is in sequence order whatever order reads and pushes arrive in, and holds each event once', () => {
    const read = [event(1, 'agreed', '2026-12-01T08:00:00Z'), event(3, 'depositPaid', '2026-12-02T08:00:00Z', 'depositPending')];
    const pushed = [event(3, 'depositPaid', '2026-12-02T08:00:00Z', 'depositPending'), event(2, 'depositPending', '2026-12-01T09:00:00Z', 'agreed')];
    const merged = mergeEvents(read, pushed);
    expect(merged.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(lastSequence(merged)).toBe(3);
  });

  it('orders events without sequence numbers by time', () => {
    const merged = mergeEvents([], [
      { kind: 'document_uploaded', at: '2026-12-02T10:00:00Z', documentId: 'd1' },
      { kind: 'created', at: '2026-12-01T10:00:00Z', to: 'agreed' },
    ]);
    expect(merged.map((e) => e.kind)).toEqual(['created', 'document_uploaded']);
    expect(lastSequence(merged)).toBe(0);
  });
});

describe("a deal's steps", () => {
  const log = [
    event(1, 'agreed', '2026-12-01T08:00:00Z'),
    event(2, 'depositPending', '2026-12-01T09:00:00Z', 'agreed'),
    event(3, 'depositPaid', '2026-12-02T08:00:00Z', 'depositPending'),
  ];

  it('marks the path done up to the current state, with the time each was entered', () => {
    const s = steps('depositPaid', log);
    expect(s.map((x) => x.state)).toEqual(['done', 'done', 'current', 'next', 'next', 'next']);
    expect(s[2]!.at).toBe('2026-12-02T08:00:00Z');
    expect(s[3]!.at).toBeNull();
  });

  it('marks every step done once completed', () => {
    expect(steps('completed', log).every((x) => x.state === 'done')).toBe(true);
  });

  it('ends a cancelled deal where it left the path and skips the rest', () => {
    const s = steps('cancelled', [...log, event(4, 'cancelled', '2026-12-03T08:00:00Z', 'depositPaid')]);
    expect(s.map((x) => `${x.status}:${x.state}`)).toEqual([
      'agreed:done',
      'depositPending:done',
      'depositPaid:done',
      'shipped:skipped',
      'delivered:skipped',
      'completed:skipped',
      'cancelled:current',
    ]);
    expect(s.at(-1)!.at).toBe('2026-12-03T08:00:00Z');
  });
});

describe("a deal's checklist", () => {
  const item = (kind: string, status: ChecklistItem['status'], required = true): ChecklistItem => ({ kind, status, required });

  it('counts the required documents by status and is complete only when all are accepted', () => {
    const summary = summarizeChecklist([
      item('commercial_invoice', 'accepted'),
      item('packing_list', 'uploaded'),
      item('rail_waybill', 'rejected'),
      item('phytosanitary_certificate', 'missing'),
      item('insurance_certificate', 'missing', false),
    ]);
    expect(summary).toEqual({ required: 4, accepted: 1, awaiting: 1, rejected: 1, missing: 1, complete: false });
  });

  it('is complete when every required one is accepted, whatever the optional ones are', () => {
    expect(summarizeChecklist([item('commercial_invoice', 'accepted'), item('other', 'missing', false)]).complete).toBe(true);
  });
});

describe("a deal's buttons", () => {
  it("follow the sides' actions among allowedTransitions, in a fixed order", () => {
    expect(availableActions([{ action: 'cancel', to: 'cancelled' }, { action: 'ship', to: 'shipped' }, { action: 'dispute', to: 'disputed' }])).toEqual([
      'ship',
      'dispute',
      'cancel',
    ]);
    expect(availableActions(['deliver'])).toEqual(['deliver']);
  });

  it("show nothing for the system's moves, and an admin's two resolutions of a dispute", () => {
    expect(availableActions([{ action: 'confirm_deposit', to: 'depositPaid' }, { action: 'reset_deposit', to: 'agreed' }])).toEqual([]);
    expect(availableActions([{ action: 'resolve', to: 'cancelled' }, { action: 'resolve', to: 'completed' }])).toEqual(['resolveComplete', 'resolveCancel']);
    expect(availableActions([{ action: 'resolve', to: 'cancelled' }, { action: 'resolve', to: 'depositPaid' }, { action: 'resolve', to: 'completed' }])).toEqual([
      'resolveComplete',
      'resolveResume',
      'resolveCancel',
    ]);
    expect(availableActions(undefined)).toEqual([]);
  });
});

describe("an event's actor", () => {
  const by = (e: Partial<DealEvent>): DealEvent => ({ kind: 'transition', at: '2026-12-05T08:00:00Z', actorUserId: 'u1', ...e });
  it('is on the side the state machine leaves, and unnamed where either side could act', () => {
    expect(actorSide(by({ to: 'shipped' }))).toBe('seller');
    expect(actorSide(by({ kind: 'document_uploaded' }))).toBe('seller');
    expect(actorSide(by({ to: 'delivered' }))).toBe('buyer');
    expect(actorSide(by({ kind: 'document_rejected' }))).toBe('buyer');
    expect(actorSide(by({ to: 'cancelled' }))).toBeNull();
    expect(actorSide(by({ to: 'depositPaid', actorUserId: null }))).toBeNull();
  });
  it('is the side the server recorded when it sends one', () => {
    expect(actorSide(by({ to: 'cancelled', actorSide: 'buyer' }))).toBe('buyer');
    expect(actorSide(by({ to: 'depositPaid', actorSide: 'admin' }))).toBe('admin');
    expect(actorSide(by({ to: 'depositPaid', actorUserId: null, actorSide: 'system' }))).toBe('system');
    expect(actorSide(by({ to: 'shipped', actorSide: 'nonsense' }))).toBe('seller');
  });
});

describe('a deposit attempt', () => {
  it('keeps its Idempotency-Key for a retry after no answer or a server error, and drops it once answered', () => {
    expect(keyAfter('k1', 'retryable')).toBe('k1');
    expect(keyAfter('k1', 'answered')).toBeNull();
    expect(keyAfter('k1', 'refused')).toBeNull();
    expect([0, 408, 429, 500, 503].every(isRetryable)).toBe(true);
    expect([400, 403, 404, 409, 422].some(isRetryable)).toBe(false);
  });
});

describe('deal labels', () => {
  const en = translatorFor('en');
  it('name statuses in any case, document kinds, and transitions', () => {
    expect(dealStatusLabel('DepositPaid', en)).toBe('Deposit paid');
    expect(dealStatusLabel('delivered', translatorFor('ru'))).toBe('Доставлено');
    expect(documentKindLabel('rail_waybill', en)).toBe('Rail waybill (SMGS/CIM)');
    expect(documentKindLabel('weight_certificate', en)).toBe('Weight certificate');
    expect(documentKindLabel('road_consignment_note', translatorFor('zh'))).toBe('公路运单（CMR）');
    expect(eventLine(event(2, 'shipped', '2026-12-05T08:00:00Z', 'depositPaid'), en).label).toBe('Deposit paid → Shipped');
  });

  it("name a document event's document, from the checklist or the log's note, and keep only a rejection's reason", () => {
    const at = '2026-12-05T08:00:00Z';
    const kindOf = (id: string) => (id === 'd1' ? 'packing_list' : null);
    expect(eventLine({ kind: 'document_uploaded', at, documentId: 'd1', reason: 'packing_list' }, en, kindOf)).toEqual({ label: 'Document uploaded: Packing list', reason: null });
    expect(eventLine({ kind: 'document_rejected', at, documentId: 'd0', reason: 'rail_waybill: The wagon numbers are missing.' }, en, kindOf)).toEqual({
      label: 'Document rejected: Rail waybill (SMGS/CIM)',
      reason: 'The wagon numbers are missing.',
    });
    expect(eventLine({ kind: 'document_accepted', at, documentId: 'd9' }, en, kindOf).label).toBe('Document accepted: a document');
    expect(eventLine({ kind: 'transition', at, from: 'shipped', to: 'disputed', reason: 'Short weight' }, en).reason).toBe('Short weight');
  });
});

describe('what the buyer may pay', () => {
  const paid = (kind: string, status = 'succeeded') => ({ kind, status });
  it('is the deposit until one is pending or paid, then the balance by transfer', () => {
    expect(payActions('agreed', 'tt_advance', [])).toEqual({ deposit: true, balance: false, instrument: null });
    expect(payActions('depositPending', 'tt_advance', [paid('deposit', 'pending')])).toEqual({ deposit: false, balance: false, instrument: null });
    expect(payActions('depositPending', 'tt_advance', [paid('deposit', 'failed')]).deposit).toBe(true);
    expect(payActions('depositPaid', 'tt_against_documents', [paid('deposit')])).toEqual({ deposit: false, balance: true, instrument: null });
    expect(payActions('shipped', 'tt_against_documents', [paid('deposit'), paid('balance', 'pending')]).balance).toBe(false);
    expect(payActions('completed', 'tt_advance', [paid('deposit')])).toEqual({ deposit: false, balance: false, instrument: null });
  });

  it('is a letter of credit or a collection where the terms say so, once', () => {
    expect(payActions('agreed', 'lc_sight', []).instrument).toBe('letterOfCredit');
    expect(payActions('depositPaid', 'dp', []).instrument).toBe('documentaryCollection');
    expect(payActions('depositPaid', 'lc_deferred', [paid('letterOfCredit', 'pending')]).instrument).toBeNull();
    expect(payActions('depositPaid', 'lc_sight', []).balance).toBe(false);
  });
});

describe('the balance', () => {
  it('is the total less the deposit, exactly', () => {
    expect(subtractDecimals('120000', '12000')).toBe('108000');
    expect(subtractDecimals('144900.5', '14490.05')).toBe('130410.45');
    expect(subtractDecimals(0.3, 0.1)).toBe('0.2');
    expect(subtractDecimals('1', 'x')).toBeNull();
  });
});
