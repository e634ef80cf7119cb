import { describe, expect, it } from 'vitest';
import type { TermSheet } from '../../api';
import { isPendingApproval, offerTotal } from './acceptance';

const terms = (amount: string | number, value: string | number, priceUnit = 't', quantityUnit = 't'): TermSheet => ({
  price: { amount, currency: 'USD', unit: priceUnit },
  quantity: { value, unit: quantityUnit },
  tolerancePercent: 5,
  incoterm: 'DAP',
  namedPlace: 'Khorgos',
  deliveryMode: 'rail',
  deliveryWindow: { from: '2026-12-01', to: '2026-12-31' },
  paymentTerms: 'tt_advance',
  inspectionBody: null,
  specs: {},
  sourceWarehouseId: null,
});

describe('the total an acceptance commits to', () => {
  it('is price × quantity in cents, exactly', () => {
    expect(offerTotal(terms('241.5', 600))).toEqual({ amount: '144900.00', currency: 'USD' });
    expect(offerTotal(terms('459', '1000'))).toEqual({ amount: '459000.00', currency: 'USD' });
    // A double would print 0.30000000000000004 for 0.1 × 3.
    expect(offerTotal(terms('0.1', 3))!.amount).toBe('0.30');
    expect(offerTotal(terms('245.55', '12.345'))!.amount).toBe('3031.31');
  });

  it('rounds half to even, as the server does', () => {
    expect(offerTotal(terms('0.125', 1))!.amount).toBe('0.12');
    expect(offerTotal(terms('0.135', 1))!.amount).toBe('0.14');
  });

  it('converts the quantity into the price unit, and gives up where units measure different things', () => {
    expect(offerTotal(terms('0.25', '1.5', 'kg', 't'))!.amount).toBe('375.00');
    expect(offerTotal(terms('240', '1500', 't', 'kg'))!.amount).toBe('360.00');
    expect(offerTotal(terms('240', '10', 't', 'm3'))).toBeNull();
    expect(offerTotal(terms('240', '10', 't', 'bag'))).toBeNull();
  });
});

describe('an acceptance answer', () => {
  it('is a pending approval only when it says so', () => {
    expect(isPendingApproval({ approvalId: 'a1', status: 'pending_approval' })).toBe(true);
    expect(isPendingApproval({ sequence: 7, type: 'offer_accepted' })).toBe(false);
    expect(isPendingApproval(null)).toBe(false);
  });
});
