import { useRef, useState } from 'react';
import { ApiError, api, type BankInstructions, type Deal, type DealPayments, type Money, type Payment } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { FormErrors } from '../../../components/FormErrors';
import { errorMessages } from '../../../errors';
import { formatDate, formatDateTime, formatDecimal, formatMoney } from '../../../format';
import { useI18n, type MessageKey } from '../../../i18n';
import { isRetryable, keyAfter } from '../dealLog';
import { paymentStatusLabel } from '../labels';

/** States in which the buyer still owes the deposit. */
const owingDeposit = new Set(['agreed', 'depositPending']);

const ledgerRows: { key: keyof Omit<DealPayments['ledger'], 'balanced' | 'currency'>; label: MessageKey }[] = [
  { key: 'expected', label: 'deals.ledger.expected' },
  { key: 'authorized', label: 'deals.ledger.authorized' },
  { key: 'captured', label: 'deals.ledger.captured' },
  { key: 'transferred', label: 'deals.ledger.transferred' },
  { key: 'refunded', label: 'deals.ledger.refunded' },
  { key: 'fees', label: 'deals.ledger.fees' },
];

const keyStore = (dealId: string) => `scoda.deposit.${dealId}`;

/**
 * The Idempotency-Key of the current deposit attempt, kept in the tab's session storage: a retry (also after a reload)
 * sends the same key until an answer settles the attempt.
 */
function useAttemptKey(dealId: string) {
  const read = () => {
    try {
      return sessionStorage.getItem(keyStore(dealId));
    } catch {
      return null;
    }
  };
  const memory = useRef<string | null>(null);
  return {
    current: (): string => {
      const key = memory.current ?? read() ?? crypto.randomUUID();
      memory.current = key;
      try {
        sessionStorage.setItem(keyStore(dealId), key);
      } catch {
        // storage unavailable: the key lives as long as the page
      }
      return key;
    },
    settle: (key: string | null) => {
      memory.current = key;
      try {
        if (key) sessionStorage.setItem(keyStore(dealId), key);
        else sessionStorage.removeItem(keyStore(dealId));
      } catch {
        // storage unavailable
      }
    },
  };
}

/** Deposit action, the deal's payments with their status, and the ledger that must balance. */
export function PaymentsPanel({ deal, payments, errors: loadErrors, onChanged }: { deal: Deal; payments: DealPayments | null; errors: string[]; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const attempt = useAttemptKey(deal.id);
  const [asking, setAsking] = useState(false);
  const [retry, setRetry] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const [instructions, setInstructions] = useState<BankInstructions | null>(null);

  const deposit: Money | null = deal.deposit ?? (payments ? { amount: payments.ledger.expected, currency: payments.ledger.currency ?? deal.total.currency } : null);
  const list = payments?.payments ?? [];
  const open = list.find((p) => p.status === 'pending' && (p.kind ?? 'deposit') === 'deposit');
  const mayPay = deal.mySide === 'buyer' && owingDeposit.has(deal.status);
  const shown = instructions ?? open?.bankInstructions ?? null;

  async function requestDeposit(): Promise<string[]> {
    const key = attempt.current();
    try {
      const answer = await api.requestDeposit(deal.id, key);
      attempt.settle(keyAfter(key, 'answered'));
      setRetry(false);
      if (answer.checkoutUrl) {
        // Stripe Checkout: the buyer pays there and comes back to this page.
        window.location.assign(answer.checkoutUrl);
        return [];
      }
      if (answer.bankInstructions) setInstructions(answer.bankInstructions);
      onChanged();
      return [];
    } catch (e) {
      const retryable = e instanceof ApiError ? isRetryable(e.status) : true;
      attempt.settle(keyAfter(key, retryable ? 'retryable' : 'refused'));
      setRetry(retryable);
      return errorMessages(e, t);
    }
  }

  return (
    <section className="panel" data-testid="deal-payments" aria-labelledby="deal-payments-title">
      <h2 id="deal-payments-title">{t('deals.payments')}</h2>
      <FormErrors messages={loadErrors} />
      {mayPay && !open && (
        <div className="deposit-action">
          <p>{deposit ? t('deals.deposit.lead', { deposit: formatMoney(deposit, locale) }) : t('deals.deposit.leadPlain')}</p>
          <button type="button" className="button button-primary" data-testid="deposit-pay" onClick={() => setAsking(true)}>
            {retry ? t('deals.deposit.retry') : deposit ? t('deals.deposit.pay', { deposit: formatMoney(deposit, locale) }) : t('deals.deposit.confirm')}
          </button>
          <FormErrors messages={errors} />
        </div>
      )}
      {asking && (
        <ConfirmDialog
          testId="deposit-confirm"
          title={t('deals.deposit.ask')}
          confirmLabel={t('deals.deposit.confirm')}
          confirmClass="button-success"
          onConfirm={async () => {
            const failed = await requestDeposit();
            setErrors(failed);
            return failed;
          }}
          onClose={() => setAsking(false)}
        >
          <p>{t('deals.deposit.explain', { deposit: formatMoney(deposit, locale), total: formatMoney(deal.total, locale), seller: deal.seller.name })}</p>
        </ConfirmDialog>
      )}
      {shown && (deal.mySide === 'buyer' || deal.mySide === null) && <BankTransfer instructions={shown} amount={open?.amount ?? deposit} />}

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
                <PaymentRow key={p.id} payment={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {payments && payments.lettersOfCredit && payments.lettersOfCredit.length > 0 && (
        <>
          <h3>{t('deals.lc.title')}</h3>
          <ul className="plain-list" data-testid="deal-lcs">
            {payments.lettersOfCredit.map((lc) => (
              <li key={lc.id} data-testid="deal-lc">
                <strong>{lc.number}</strong> · {lc.issuingBank} · {formatMoney(lc.amount, locale)} ·{' '}
                <span className="muted">{t('deals.lc.expires', { date: formatDate(lc.expiresAt, locale) })}</span>
              </li>
            ))}
          </ul>
        </>
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
                    {formatDecimal(payments.ledger[row.key], locale)} {payments.ledger.currency ?? deal.total.currency}
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

function PaymentRow({ payment }: { payment: Payment }) {
  const { t, locale } = useI18n();
  return (
    <tr data-testid="payment-row" data-status={payment.status} data-provider={payment.provider}>
      <td>{t(payment.kind === 'balance' ? 'deals.pay.balance' : payment.kind === 'payout' ? 'deals.pay.payout' : payment.kind === 'refund' ? 'deals.pay.refund' : 'deals.pay.deposit')}</td>
      <td>{t(payment.provider === 'stripe' ? 'deals.provider.stripe' : 'deals.provider.offline')}</td>
      <td className="num">{formatMoney(payment.amount, locale)}</td>
      <td>
        <span className={`badge badge-payment-${payment.status}`} data-testid="payment-status">
          {paymentStatusLabel(payment.status, t)}
        </span>
        {payment.bankReference && <div className="muted small">{t('deals.pay.bankReference', { reference: payment.bankReference })}</div>}
      </td>
      <td className="nowrap">{payment.valueDate ? formatDate(payment.valueDate, locale) : formatDateTime(payment.confirmedAt ?? payment.createdAt, locale)}</td>
    </tr>
  );
}

/** The transfer the buyer makes: the platform's account and the reference to quote, which matches it to this deal. */
function BankTransfer({ instructions, amount }: { instructions: BankInstructions; amount: Money | null }) {
  const { t, locale } = useI18n();
  const rows: [MessageKey, string | null | undefined][] = [
    ['deals.bank.beneficiary', instructions.beneficiary],
    ['deals.bank.bank', instructions.bankName],
    ['deals.bank.iban', instructions.iban ?? instructions.accountNumber],
    ['deals.bank.swift', instructions.swift],
  ];
  return (
    <div className="notice notice-info bank-instructions" data-testid="bank-instructions">
      <h3>{t('deals.bank.title')}</h3>
      <dl className="details">
        <dt>{t('deals.pay.amount')}</dt>
        <dd className="strong" data-testid="bank-amount">
          {formatMoney(instructions.amount ?? amount, locale)}
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
