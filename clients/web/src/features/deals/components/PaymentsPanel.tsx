import { useState } from 'react';
import { ApiError, api, type BankInstructions, type Deal, type DealPayments, type Money, type Payment, type PaymentLedger } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { Field } from '../../../components/Field';
import { FormErrors } from '../../../components/FormErrors';
import { errorMessages } from '../../../errors';
import { decimalText, formatDate, formatDateTime, formatDecimal, formatMoney, normalizeDecimalInput } from '../../../format';
import { useI18n, type MessageKey } from '../../../i18n';
import { isRetryable, keyAfter, payActions, subtractDecimals } from '../dealLog';
import { paymentKindLabel, paymentStatusLabel } from '../labels';
import { useAttemptKey } from '../useAttemptKey';

const ledgerRows: { key: keyof Omit<PaymentLedger, 'balanced' | 'currency'>; label: MessageKey }[] = [
  { key: 'expected', label: 'deals.ledger.expected' },
  { key: 'deposit', label: 'deals.ledger.deposit' },
  { key: 'authorized', label: 'deals.ledger.authorized' },
  { key: 'captured', label: 'deals.ledger.captured' },
  { key: 'transferred', label: 'deals.ledger.transferred' },
  { key: 'refunded', label: 'deals.ledger.refunded' },
  { key: 'fees', label: 'deals.ledger.fees' },
  { key: 'held', label: 'deals.ledger.held' },
];

/** A money request's failure: whether the same key may be sent again, and what to tell the user. */
function failure(e: unknown, t: Parameters<typeof errorMessages>[1]): { retryable: boolean; messages: string[] } {
  return { retryable: e instanceof ApiError ? isRetryable(e.status) : true, messages: errorMessages(e, t, {}) };
}

/** What the buyer pays or records, the deal's payments with their status, and the ledger that must balance. */
export function PaymentsPanel({ deal, payments, errors: loadErrors, onChanged }: { deal: Deal; payments: DealPayments | null; errors: string[]; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const list = payments?.payments ?? [];
  const buyer = deal.mySide === 'buyer';
  const can = payActions(deal.status, deal.terms.paymentTerms, list);
  const deposit = deal.deposit ?? null;
  const balanceAmount = deposit ? subtractDecimals(deal.total.amount, deposit.amount) : null;
  const balance: Money | null = balanceAmount ? { amount: balanceAmount, currency: deal.total.currency } : null;
  // Transfers still owed: the buyer sees where to send them and the reference to quote.
  const owed = list.filter((p) => p.status === 'pending' && p.bankInstructions && (p.kind === 'deposit' || p.kind === 'balance'));
  const checkout = list.find((p) => p.status === 'pending' && p.checkoutUrl);

  return (
    <section className="panel" data-testid="deal-payments" aria-labelledby="deal-payments-title">
      <h2 id="deal-payments-title">{t('deals.payments')}</h2>
      <FormErrors messages={loadErrors} />
      {buyer && can.deposit && deposit && <PayButton deal={deal} what="deposit" amount={deposit} onChanged={onChanged} />}
      {buyer && can.balance && balance && <PayButton deal={deal} what="balance" amount={balance} onChanged={onChanged} />}
      {buyer && can.instrument && <InstrumentForm deal={deal} kind={can.instrument} onChanged={onChanged} />}
      {buyer && checkout?.checkoutUrl && (
        <p>
          <a className="button button-primary" href={checkout.checkoutUrl} data-testid="checkout-continue">
            {t('deals.pay.continueCheckout')}
          </a>
        </p>
      )}
      {(buyer || deal.mySide === null) && owed.map((p) => <BankTransfer key={p.paymentId} payment={p} instructions={p.bankInstructions!} />)}

      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table bordered-table" data-testid="payments-table">
            <thead>
              <tr>
                <th scope="col">{t('deals.pay.kind')}</th>
                <th scope="col">{t('deals.pay.provider')}</th>
                <th scope="col" className="num">
                  {t('deals.pay.amount')}
                </th>
                <th scope="col">{t('deals.pay.status')}</th>
                <th scope="col">{t('deals.pay.when')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <PaymentRow key={p.paymentId} payment={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {payments && (
        <>
          <h3>{t('deals.ledger')}</h3>
          <table className="table ledger-table" data-testid="payments-ledger" data-balanced={payments.ledger.balanced}>
            <tbody>
              {ledgerRows.map((row) => (
                <tr key={row.key} data-testid="payments-ledger-row" data-key={row.key}>
                  <th scope="row">{t(row.label)}</th>
                  <td className="num">
                    {formatDecimal(payments.ledger[row.key], locale)} {payments.ledger.currency}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className={payments.ledger.balanced ? 'muted small' : 'notice notice-error'} data-testid="ledger-balanced">
            {t(payments.ledger.balanced ? 'deals.ledger.balanced' : 'deals.ledger.unbalanced')}
          </p>
        </>
      )}
    </section>
  );
}

/**
 * The deposit or the balance: one confirmation, one request with the attempt's Idempotency-Key (kept for a retry after
 * a failure that retrying can cure), then Stripe Checkout or the bank transfer's instructions.
 */
function PayButton({ deal, what, amount, onChanged }: { deal: Deal; what: 'deposit' | 'balance'; amount: Money; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const attempt = useAttemptKey(`${deal.id}.${what}`);
  const [asking, setAsking] = useState(false);
  const [retry, setRetry] = useState(false);
  const money = formatMoney(amount, locale);

  async function pay(): Promise<string[]> {
    const key = attempt.current();
    try {
      const payment = await api.pay(deal.id, what, amount, key);
      attempt.settle(keyAfter(key, 'answered'));
      setRetry(false);
      if (payment.checkoutUrl) {
        // Stripe Checkout: the buyer pays there and comes back to this page.
        window.location.assign(payment.checkoutUrl);
        return [];
      }
      onChanged();
      return [];
    } catch (e) {
      const failed = failure(e, t);
      attempt.settle(keyAfter(key, failed.retryable ? 'retryable' : 'refused'));
      setRetry(failed.retryable);
      return failed.messages;
    }
  }

  return (
    <div className="deposit-action">
      <p>{t(what === 'deposit' ? 'deals.deposit.lead' : 'deals.balance.lead', { amount: money })}</p>
      <button type="button" className="button button-primary" data-testid={`${what}-pay`} onClick={() => setAsking(true)}>
        {retry ? t('deals.deposit.retry') : t(what === 'deposit' ? 'deals.deposit.pay' : 'deals.balance.pay', { amount: money })}
      </button>
      {asking && (
        <ConfirmDialog
          testId={`${what}-confirm`}
          title={t(what === 'deposit' ? 'deals.deposit.ask' : 'deals.balance.ask')}
          confirmLabel={t(what === 'deposit' ? 'deals.deposit.confirm' : 'deals.balance.confirm')}
          confirmClass="button-success"
          onConfirm={pay}
          onClose={() => setAsking(false)}
        >
          <p>
            {t(what === 'deposit' ? 'deals.deposit.explain' : 'deals.balance.explain', {
              amount: money,
              total: formatMoney(deal.total, locale),
              seller: deal.seller.name,
            })}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The buyer records the letter of credit (UCP 600) or documentary collection (URC 522) its bank issued. */
function InstrumentForm({ deal, kind, onChanged }: { deal: Deal; kind: 'letterOfCredit' | 'documentaryCollection'; onChanged: () => void }) {
  const { t } = useI18n();
  const attempt = useAttemptKey(`${deal.id}.${kind}`);
  const [open, setOpen] = useState(false);
  const [issuingBank, setIssuingBank] = useState('');
  const [number, setNumber] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  const [amount, setAmount] = useState(decimalText(deal.total.amount));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const labels = { issuingBank: t('deals.lc.bank'), number: t('deals.lc.number'), expiresAt: t('deals.lc.expiresAt'), amount: t('deals.pay.amount') };
  const title = t(kind === 'letterOfCredit' ? 'deals.lc.record' : 'deals.dc.record');

  if (!open) {
    return (
      <p>
        <button type="button" className="button" data-testid="instrument-open" onClick={() => setOpen(true)}>
          {title}
        </button>
      </p>
    );
  }
  async function submit() {
    setBusy(true);
    setErrors({});
    setMessages([]);
    const key = attempt.current();
    try {
      await api.recordInstrument(
        deal.id,
        kind,
        { issuingBank: issuingBank.trim(), number: number.trim(), expiresAt: expiresAt || null, amount: normalizeDecimalInput(amount) || null, currency: deal.total.currency },
        key,
      );
      attempt.settle(null);
      setOpen(false);
      onChanged();
    } catch (e) {
      const failed = failure(e, t);
      attempt.settle(keyAfter(key, failed.retryable ? 'retryable' : 'refused'));
      // A changed form is a new request: a refused one's key is not reused.
      if (e instanceof ApiError && Object.keys(e.errors).length > 0) setErrors(e.errors);
      else setMessages(failed.messages);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form
      className="panel-inset"
      data-testid="instrument-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{title}</h3>
      <p className="muted small">{t(kind === 'letterOfCredit' ? 'deals.lc.hint' : 'deals.dc.hint')}</p>
      <FormErrors messages={[...messages, ...Object.entries(errors).flatMap(([k, list]) => list.map((m) => `${labels[k as keyof typeof labels] ?? k}: ${m}`))]} />
      <div className="field-row">
        <Field id="lc-bank" label={labels.issuingBank} data-testid="lc-bank" maxLength={100} value={issuingBank} onChange={(e) => setIssuingBank(e.target.value)} path="issuingBank" errors={errors} />
        <Field id="lc-number" label={labels.number} data-testid="lc-number" maxLength={100} value={number} onChange={(e) => setNumber(e.target.value)} path="number" errors={errors} />
        <Field id="lc-expires" label={labels.expiresAt} type="date" data-testid="lc-expires" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} path="expiresAt" errors={errors} />
        <Field
          id="lc-amount"
          label={`${labels.amount} (${deal.total.currency})`}
          data-testid="lc-amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          path="amount"
          errors={errors}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" data-testid="lc-submit" disabled={busy}>
          {t('deals.lc.submit')}
        </button>
        <button type="button" className="button button-ghost" disabled={busy} onClick={() => setOpen(false)}>
          {t('dialog.back')}
        </button>
      </div>
    </form>
  );
}

function PaymentRow({ payment }: { payment: Payment }) {
  const { t, locale } = useI18n();
  return (
    <tr data-testid="payment-row" data-kind={payment.kind} data-status={payment.status} data-provider={payment.provider}>
      <td>
        {paymentKindLabel(payment.kind, t)}
        {payment.instrumentNumber && (
          <div className="muted small">
            {payment.instrumentNumber} · {payment.issuingBank}
            {payment.expiresOn && <> · {t('deals.lc.expires', { date: formatDate(payment.expiresOn, locale) })}</>}
          </div>
        )}
      </td>
      <td>{t(payment.provider === 'stripe' ? 'deals.provider.stripe' : 'deals.provider.offline')}</td>
      <td className="num">{formatMoney(payment.amount, locale)}</td>
      <td>
        <span className={`badge badge-payment-${payment.status}`} data-testid="payment-status">
          {paymentStatusLabel(payment.status, payment.kind, t)}
        </span>
        {payment.bankReference && <div className="muted small">{t('deals.pay.bankReference', { reference: payment.bankReference })}</div>}
        {payment.lastError && <div className="small notice-error">{payment.lastError}</div>}
      </td>
      <td className="nowrap">{payment.valueDate ? formatDate(payment.valueDate, locale) : formatDateTime(payment.confirmedAt ?? payment.createdAt, locale)}</td>
    </tr>
  );
}

/** The transfer the buyer makes: the platform's account and the reference to quote, which matches it to this deal. */
function BankTransfer({ payment, instructions }: { payment: Payment; instructions: BankInstructions }) {
  const { t, locale } = useI18n();
  const rows: [MessageKey, string | null | undefined][] = [
    ['deals.bank.beneficiary', instructions.beneficiary],
    ['deals.bank.bank', instructions.bankName],
    ['deals.bank.address', instructions.bankAddress],
    ['deals.bank.iban', instructions.iban],
    ['deals.bank.swift', instructions.swift],
  ];
  return (
    <div className="notice notice-info bank-instructions" data-testid="bank-instructions" data-kind={payment.kind}>
      <h3>{t('deals.bank.title', { what: paymentKindLabel(payment.kind, t) })}</h3>
      <dl className="details">
        <dt>{t('deals.pay.amount')}</dt>
        <dd className="strong" data-testid="bank-amount">
          {formatMoney(instructions.amount, locale)}
        </dd>
        {rows
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <div key={label} className="terms-row">
              <dt>{t(label)}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        <dt>{t('deals.bank.reference')}</dt>
        <dd>
          <code className="strong" data-testid="bank-reference">
            {instructions.reference}
          </code>
        </dd>
      </dl>
      <p className="small">{t('deals.bank.quote')}</p>
    </div>
  );
}
