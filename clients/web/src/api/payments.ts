import { enc, type Decimal, type Money, type Page } from './common';
import { request } from './client';

// ---------- Payments (CONTRACT.md "Payments") ----------

export type PaymentKind = 'deposit' | 'balance' | 'letterOfCredit' | 'documentaryCollection' | 'payout' | 'refund';
export type PaymentProvider = 'offline' | 'stripe';
export type PaymentStatus = 'pending' | 'authorized' | 'succeeded' | 'failed' | 'cancelled';

/** Where a bank transfer goes, and the reference it must quote (Offline provider). */
export type BankInstructions = {
  beneficiary: string;
  bankName: string;
  iban: string;
  swift: string;
  bankAddress?: string | null;
  reference: string;
  amount: Money;
};

/** A payment as both sides of the deal (and admins) see it. */
export type Payment = {
  paymentId: string;
  dealId: string;
  kind: PaymentKind | string;
  provider: PaymentProvider | string;
  status: PaymentStatus | string;
  amount: Money;
  received: Money;
  fees: Money;
  reference: string;
  /** Stripe Checkout, while the payment is open. */
  checkoutUrl?: string | null;
  bankInstructions?: BankInstructions | null;
  issuingBank?: string | null;
  instrumentNumber?: string | null;
  /** yyyy-MM-dd. */
  expiresOn?: string | null;
  valueDate?: string | null;
  bankReference?: string | null;
  lastError?: string | null;
  createdAt: string;
  confirmedAt?: string | null;
};

/**
 * The deal's money summed from its payments; `held` is what the platform holds, `balanced` says no more went out than
 * came in and no more came in than the deal is worth.
 */
export type PaymentLedger = {
  currency: string;
  expected: Decimal;
  deposit: Decimal;
  authorized: Decimal;
  captured: Decimal;
  transferred: Decimal;
  refunded: Decimal;
  fees: Decimal;
  commission: Decimal;
  held: Decimal;
  balanced: boolean;
};

export type DealPayments = { dealId: string; dealStatus: string; payments: Payment[]; ledger: PaymentLedger };

/** A letter of credit (UCP 600) or documentary collection (URC 522) the buyer records; an admin confirms it was advised. */
export type InstrumentInput = { issuingBank: string; number: string; expiresAt: string | null; amount: string | null; currency: string };

/** What the bank statement shows, as an admin records it. */
export type ConfirmPaymentInput = { amount: Decimal | null; valueDate: string | null; bankReference: string };

/** One difference between the ledger and Stripe's objects. */
export type PaymentMismatch = {
  paymentId: string;
  dealId: string;
  stripeObject: string;
  /** no_session, payment_status, amount, intent_amount, transfer_group, fee, transfer_amount, refund, no_object, unknown_object */
  code: string;
  /** What Stripe has, and what the ledger has (as the server words amounts and statuses). */
  stripe?: string | null;
  ours?: string | null;
  /** The same in English, as the reconcile-payments command prints it. */
  problem: string;
};

/** GET /api/admin/payments/reconciliation: the reconcile-payments command's comparison, run now. */
export type ReconciliationReport = { stripeConfigured: boolean; checked: number; mismatches: PaymentMismatch[]; checkedAt: string };

const withKey = (idempotencyKey: string) => ({ 'Idempotency-Key': idempotencyKey });

export const paymentsApi = {
  /**
   * The buyer pays the deposit or the balance, naming the amount it means to pay. One key per attempt: a retry after a
   * failure sends the same key, so the server answers with the first result instead of recording a second payment.
   */
  pay: (dealId: string, what: 'deposit' | 'balance', amount: Money, idempotencyKey: string) =>
    request<Payment>(`/api/deals/${enc(dealId)}/${what}`, { method: 'POST', body: amount, headers: withKey(idempotencyKey) }),
  recordInstrument: (dealId: string, kind: 'letterOfCredit' | 'documentaryCollection', input: InstrumentInput, idempotencyKey: string) =>
    request<Payment>(`/api/deals/${enc(dealId)}/${kind === 'letterOfCredit' ? 'letters-of-credit' : 'documentary-collections'}`, {
      method: 'POST',
      body: input,
      headers: withKey(idempotencyKey),
    }),
  payment: (id: string, signal?: AbortSignal) => request<Payment>(`/api/payments/${enc(id)}`, { signal }),
  dealPayments: (dealId: string, signal?: AbortSignal) => request<DealPayments>(`/api/deals/${enc(dealId)}/payments`, { signal }),

  adminPayments: (params: { status?: PaymentStatus | null; kind?: PaymentKind | null; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    request<Page<Payment>>('/api/admin/payments', { query: { status: params.status, kind: params.kind, cursor: params.cursor, limit: params.limit }, signal }),
  reconcileWithStripe: (signal?: AbortSignal) => request<ReconciliationReport>('/api/admin/payments/reconciliation', { signal }),
  confirmPayment: (id: string, input: ConfirmPaymentInput) => request<Payment>(`/api/admin/payments/${enc(id)}/confirm`, { method: 'POST', body: input }),
};
