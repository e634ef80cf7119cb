import { enc, type Decimal, type Money, type Page } from './common';
import { request } from './client';

// ---------- Payments (CONTRACT.md "Payments") ----------

export type PaymentProvider = 'offline' | 'stripe' | string;
export type PaymentStatus = 'pending' | 'authorized' | 'captured' | 'confirmed' | 'transferred' | 'refunded' | 'failed' | 'cancelled' | string;

/** What the buyer quotes and where to send a bank transfer (Offline provider). */
export type BankInstructions = {
  reference: string;
  beneficiary?: string | null;
  bankName?: string | null;
  iban?: string | null;
  accountNumber?: string | null;
  swift?: string | null;
  amount?: Money | null;
  [more: string]: unknown;
};

export type Payment = {
  id: string;
  paymentId?: string;
  dealId?: string;
  kind?: string | null;
  provider: PaymentProvider;
  status: PaymentStatus;
  amount?: Money | null;
  checkoutUrl?: string | null;
  bankInstructions?: BankInstructions | null;
  bankReference?: string | null;
  valueDate?: string | null;
  createdAt?: string | null;
  confirmedAt?: string | null;
};

/** The answer to a deposit request: a new payment, or the first answer again for the same Idempotency-Key. */
export type DepositAnswer = {
  paymentId: string;
  provider: PaymentProvider;
  status: PaymentStatus;
  checkoutUrl?: string | null;
  bankInstructions?: BankInstructions | null;
};

/** The deal's money in one table; `balanced` says the columns add up. */
export type PaymentLedger = {
  expected: Decimal;
  authorized: Decimal;
  captured: Decimal;
  transferred: Decimal;
  refunded: Decimal;
  fees: Decimal;
  currency?: string | null;
  balanced: boolean;
};

export type LetterOfCredit = {
  id: string;
  kind?: string | null;
  issuingBank: string;
  number: string;
  expiresAt: string;
  amount: Money;
  status?: string | null;
  createdAt?: string | null;
};

export type DealPayments = {
  payments: Payment[];
  ledger: PaymentLedger;
  lettersOfCredit?: LetterOfCredit[];
};

export type LetterOfCreditInput = {
  kind?: string;
  issuingBank: string;
  number: string;
  expiresAt: string | null;
  amount: { amount: string | null; currency: string };
};

export type ConfirmPaymentInput = { amount: string | null; valueDate: string | null; bankReference: string };

/** A payment as the admin queue lists it, with the deal it belongs to. */
export type AdminPayment = Payment & { deal?: { id: string; buyer?: string | null; seller?: string | null } | null };

/** One difference between our ledger and the provider's objects. */
export type ReconciliationItem = {
  dealId?: string | null;
  paymentId?: string | null;
  kind: string;
  ours?: string | null;
  theirs?: string | null;
  detail?: string | null;
};

export type Reconciliation = { checkedAt?: string | null; checked?: number | null; mismatches: ReconciliationItem[] };

export const paymentsApi = {
  /**
   * Asks for the deal's deposit. One key per attempt: a retry after a failure sends the same key, so the server answers
   * with the first result instead of starting a second payment.
   */
  requestDeposit: (dealId: string, idempotencyKey: string) =>
    request<DepositAnswer>(`/api/deals/${enc(dealId)}/deposit`, { method: 'POST', body: {}, headers: { 'Idempotency-Key': idempotencyKey } }),
  payment: (id: string, signal?: AbortSignal) => request<Payment>(`/api/payments/${enc(id)}`, { signal }),
  dealPayments: (dealId: string, signal?: AbortSignal) => request<DealPayments>(`/api/deals/${enc(dealId)}/payments`, { signal }),
  recordLetterOfCredit: (dealId: string, input: LetterOfCreditInput, idempotencyKey: string) =>
    request<LetterOfCredit>(`/api/deals/${enc(dealId)}/letters-of-credit`, { method: 'POST', body: input, headers: { 'Idempotency-Key': idempotencyKey } }),

  adminPayments: (params: { status?: string | null; cursor?: string | null }, signal?: AbortSignal) =>
    request<Page<AdminPayment>>('/api/admin/payments', { query: { status: params.status, cursor: params.cursor }, signal }),
  confirmPayment: (id: string, input: ConfirmPaymentInput) =>
    request<Payment>(`/api/admin/payments/${enc(id)}/confirm`, { method: 'POST', body: input }),
  reconciliation: (signal?: AbortSignal) => request<Reconciliation>('/api/admin/payments/reconciliation', { signal }),
};
