import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, type Payment, type PaymentMismatch } from '../../api';
import { useAuth } from '../../auth';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Field } from '../../components/Field';
import { FormErrors } from '../../components/FormErrors';
import { errorMessages } from '../../errors';
import { checkDecimalInput, decimalText, formatDateTime, formatMoney, normalizeDecimalInput, toDateInput } from '../../format';
import { useI18n, useStableT, type MessageKey, type Translate } from '../../i18n';
import { usePageTitle } from '../../hooks/usePageTitle';
import { Link } from '../../router';
import { dealStatusLabel, paymentKindLabel, paymentStatusLabel } from '../deals/labels';
import { AdminTabs } from './AdminTabs';

/** A reconciliation difference in the reader's language; a code this client does not know keeps the server's English. */
const mismatchKeys: Record<string, MessageKey> = {
  no_session: 'adminPay.mismatch.no_session',
  payment_status: 'adminPay.mismatch.payment_status',
  amount: 'adminPay.mismatch.amount',
  intent_amount: 'adminPay.mismatch.intent_amount',
  transfer_group: 'adminPay.mismatch.transfer_group',
  fee: 'adminPay.mismatch.fee',
  transfer_amount: 'adminPay.mismatch.transfer_amount',
  refund: 'adminPay.mismatch.refund',
  no_object: 'adminPay.mismatch.no_object',
  unknown_object: 'adminPay.mismatch.unknown_object',
};

/** Payments desk for administrators: offline transfers to confirm, and the reconciliation of the ledger with Stripe. */
export function AdminPaymentsPage() {
  const { t } = useI18n();
  const { isStaff } = useAuth();
  usePageTitle(t('adminPay.title'));
  if (!isStaff) {
    return (
      <div className="page narrow">
        <h1>{t('adminPay.title')}</h1>
        <p className="notice notice-error" data-testid="admin-forbidden">
          {t('admin.forbidden')}
        </p>
      </div>
    );
  }
  return (
    <div className="page">
      <AdminTabs current="payments" />
      <h1>{t('adminPay.title')}</h1>
      <p className="lead">{t('adminPay.intro')}</p>
      <PendingPayments />
      <ReconciliationView />
      <StripeReconciliation />
    </div>
  );
}

function PendingPayments() {
  const { t, locale } = useI18n();
  const stableT = useStableT();
  const [items, setItems] = useState<Payment[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(
    async (from: string | null, signal?: AbortSignal) => {
      setErrors([]);
      try {
        const page = await api.adminPayments({ status: 'pending', cursor: from, limit: 50 }, signal);
        setItems((prev) => (from ? [...(prev ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor ?? null);
      } catch (e) {
        if (signal?.aborted) return;
        setItems((prev) => prev ?? []);
        setErrors(errorMessages(e, stableT));
      }
    },
    [stableT],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(null, controller.signal);
    return () => controller.abort();
  }, [load]);

  return (
    <section className="panel" data-testid="admin-payments" aria-labelledby="admin-payments-title">
      <div className="panel-header">
        <h2 id="admin-payments-title">{t('adminPay.pending')}</h2>
        <button type="button" className="button button-small" data-testid="admin-payments-refresh" onClick={() => void load(null)}>
          {t('admin.refresh')}
        </button>
      </div>
      {notice && (
        <p className="notice notice-success" role="status" data-testid="admin-payments-notice">
          {notice}
        </p>
      )}
      <FormErrors messages={errors} />
      {items === null && <p className="muted">{t('app.loading')}</p>}
      {items?.length === 0 && errors.length === 0 && (
        <p className="muted" data-testid="admin-payments-empty">
          {t('adminPay.none')}
        </p>
      )}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className="table bordered-table" data-testid="admin-payments-table">
            <thead>
              <tr>
                <th scope="col">{t('adminPay.col.payment')}</th>
                <th scope="col">{t('deals.bank.reference')}</th>
                <th scope="col" className="num">
                  {t('adminPay.col.expected')}
                </th>
                <th scope="col">{t('deals.pay.status')}</th>
                <th scope="col">{t('adminPay.col.receipt')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <PendingRow
                  key={p.paymentId}
                  payment={p}
                  locale={locale}
                  onConfirmed={(reference) => {
                    setItems((prev) => (prev ?? []).filter((x) => x.paymentId !== p.paymentId));
                    setNotice(t('adminPay.confirmed', { reference }));
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" className="button" onClick={() => void load(cursor)}>
          {t('admin.loadMore')}
        </button>
      )}
    </section>
  );
}

function PendingRow({ payment, locale, onConfirmed }: { payment: Payment; locale: string; onConfirmed: (reference: string) => void }) {
  const { t } = useI18n();
  const reference = payment.reference;
  const currency = payment.amount.currency;
  const [amount, setAmount] = useState(decimalText(payment.amount.amount));
  const [valueDate, setValueDate] = useState(toDateInput(new Date().toISOString()));
  const [bankReference, setBankReference] = useState('');
  const [asking, setAsking] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const id = (name: string) => `pay-${payment.paymentId}-${name}`;
  const outbound = payment.kind === 'payout' || payment.kind === 'refund';
  const instrument = payment.kind === 'letterOfCredit' || payment.kind === 'documentaryCollection';

  function check(): boolean {
    const problems: string[] = [];
    if (checkDecimalInput(normalizeDecimalInput(amount), 2) !== null) problems.push(`${t('deals.pay.amount')}: ${t('adminPay.error.amount')}`);
    if (!valueDate) problems.push(`${t('adminPay.valueDate')}: ${t('adminPay.error.required')}`);
    if (!bankReference.trim()) problems.push(`${t('adminPay.bankReference')}: ${t('adminPay.error.required')}`);
    setErrors(problems);
    return problems.length === 0;
  }

  return (
    <tr data-testid="admin-payment-row" data-payment-id={payment.paymentId} data-reference={reference} data-kind={payment.kind}>
      <td>
        <strong>{paymentKindLabel(payment.kind, t)}</strong>
        {payment.instrumentNumber && (
          <div className="small">
            {payment.instrumentNumber} · {payment.issuingBank}
          </div>
        )}
        <div>
          <Link to={`/deals/${encodeURIComponent(payment.dealId)}`}>{t('adminPay.openDeal')}</Link>
        </div>
        <div className="muted small">{formatDateTime(payment.createdAt, locale)}</div>
      </td>
      <td>
        <code data-testid="admin-payment-reference">{reference}</code>
      </td>
      <td className="num">{formatMoney(payment.amount, locale)}</td>
      <td>{paymentStatusLabel(payment.status, payment.kind, t)}</td>
      <td>
        {payment.provider === 'stripe' ? (
          <span className="muted small">{t('adminPay.byStripe')}</span>
        ) : (
          <>
            <FormErrors messages={errors} />
            <div className="field-row admin-confirm">
              <Field
                id={id('amount')}
                label={`${t(outbound ? 'adminPay.sent' : 'adminPay.received')} (${currency})`}
                data-testid="admin-confirm-amount"
                inputMode="decimal"
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
              />
              <Field id={id('date')} label={t('adminPay.valueDate')} type="date" data-testid="admin-confirm-date" value={valueDate} onChange={(e) => setValueDate(e.target.value)} />
              <Field
                id={id('ref')}
                label={t('adminPay.bankReference')}
                data-testid="admin-confirm-reference"
                maxLength={100}
                value={bankReference}
                onChange={(e) => setBankReference(e.target.value)}
              />
            </div>
            <button type="button" className="button button-small button-success" data-testid="admin-confirm" onClick={() => check() && setAsking(true)}>
              {t(outbound ? 'adminPay.confirmSent' : instrument ? 'adminPay.confirmAdvised' : 'adminPay.confirm')}
            </button>
          </>
        )}
        {asking && (
          <ConfirmDialog
            testId="admin-confirm-dialog"
            title={t(outbound ? 'adminPay.askSent' : instrument ? 'adminPay.askAdvised' : 'adminPay.ask')}
            confirmLabel={t(outbound ? 'adminPay.confirmSent' : instrument ? 'adminPay.confirmAdvised' : 'adminPay.confirm')}
            confirmClass="button-success"
            onConfirm={async () => {
              try {
                await api.confirmPayment(payment.paymentId, { amount: normalizeDecimalInput(amount), valueDate, bankReference: bankReference.trim() });
                onConfirmed(reference);
                return [];
              } catch (e) {
                return errorMessages(e, t, { amount: t('deals.pay.amount'), valueDate: t('adminPay.valueDate'), bankReference: t('adminPay.bankReference') });
              }
            }}
            onClose={() => setAsking(false)}
          >
            <p>
              {t('adminPay.explain', {
                what: paymentKindLabel(payment.kind, t),
                amount: formatMoney({ amount: normalizeDecimalInput(amount), currency }, locale),
                reference,
                bankReference: bankReference.trim(),
              })}
            </p>
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}

/** How many deals the ledger check reads at once (one request each). */
const ledgerDeals = 25;

/** A check an admin runs on demand: its last result, whether it is running, and what went wrong. */
function useCheck<T>(load: () => Promise<T>) {
  const { t } = useI18n();
  const [result, setResult] = useState<T | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function run() {
    setBusy(true);
    setErrors([]);
    try {
      setResult(await load());
    } catch (e) {
      setErrors(errorMessages(e, t));
    } finally {
      setBusy(false);
    }
  }

  return { result, busy, errors, run };
}

/** The frame of such a check: its title, the button that runs it, a hint, its errors, then its result. */
function CheckPanel(props: {
  testId: string;
  buttonTestId: string;
  title: string;
  action: string;
  hint: string;
  check: Pick<ReturnType<typeof useCheck>, 'busy' | 'errors' | 'run'>;
  children: ReactNode;
}) {
  const { busy, errors, run } = props.check;
  return (
    <section className="panel" data-testid={props.testId} aria-labelledby={`${props.testId}-title`}>
      <div className="panel-header">
        <h2 id={`${props.testId}-title`}>{props.title}</h2>
        <button type="button" className="button button-small" data-testid={props.buttonTestId} disabled={busy} onClick={() => void run()}>
          {props.action}
        </button>
      </div>
      <p className="muted small">{props.hint}</p>
      <FormErrors messages={errors} />
      {props.children}
    </section>
  );
}

/** Our side of the reconciliation: the ledgers of the deals with the latest payments, unbalanced ones first. */
function ReconciliationView() {
  const { t, locale } = useI18n();
  const check = useCheck(async () => {
    const page = await api.adminPayments({ limit: 100 });
    const dealIds = [...new Set(page.items.map((p) => p.dealId))].slice(0, ledgerDeals);
    const read = await Promise.all(dealIds.map((id) => api.dealPayments(id)));
    return read.sort((a, b) => Number(a.ledger.balanced) - Number(b.ledger.balanced));
  });
  const ledgers = check.result;

  const unbalanced = ledgers?.filter((l) => !l.ledger.balanced).length ?? 0;
  return (
    <CheckPanel
      testId="admin-reconciliation"
      buttonTestId="admin-reconcile"
      title={t('adminPay.reconciliation')}
      action={t('adminPay.reconcile')}
      hint={t('adminPay.reconcileHint')}
      check={check}
    >
      {ledgers && (
        <>
          <p data-testid="reconciliation-summary" data-unbalanced={unbalanced}>
            {unbalanced === 0 ? t('adminPay.allBalanced', { n: ledgers.length }) : t('adminPay.unbalanced', { n: unbalanced, total: ledgers.length })}
          </p>
          {ledgers.length > 0 && (
            <div className="table-wrap">
              <table className="table bordered-table" data-testid="reconciliation-table">
                <thead>
                  <tr>
                    <th scope="col">{t('adminPay.col.deal')}</th>
                    <th scope="col" className="num">
                      {t('deals.ledger.expected')}
                    </th>
                    <th scope="col" className="num">
                      {t('deals.ledger.captured')}
                    </th>
                    <th scope="col" className="num">
                      {t('deals.ledger.transferred')}
                    </th>
                    <th scope="col" className="num">
                      {t('deals.ledger.refunded')}
                    </th>
                    <th scope="col" className="num">
                      {t('deals.ledger.fees')}
                    </th>
                    <th scope="col" className="num">
                      {t('deals.ledger.held')}
                    </th>
                    <th scope="col">{t('adminPay.col.balanced')}</th>
                  </tr>
                </thead>
                <tbody>
                  {ledgers.map(({ dealId, dealStatus, ledger }) => (
                    <tr key={dealId} data-testid="reconciliation-row" data-deal-id={dealId} data-balanced={ledger.balanced}>
                      <td>
                        <Link to={`/deals/${encodeURIComponent(dealId)}`}>{t('adminPay.openDeal')}</Link>
                        <div className="muted small">{dealStatusLabel(dealStatus, t)}</div>
                      </td>
                      {([ledger.expected, ledger.captured, ledger.transferred, ledger.refunded, ledger.fees, ledger.held] as const).map((value, i) => (
                        <td key={i} className="num">
                          {formatMoney({ amount: value, currency: ledger.currency }, locale)}
                        </td>
                      ))}
                      <td>
                        <span className={`badge ${ledger.balanced ? 'badge-verified' : 'badge-rejected'}`}>{t(ledger.balanced ? 'adminPay.yes' : 'adminPay.no')}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </CheckPanel>
  );
}

/** The ledger compared with Stripe's own objects on the server (the reconcile-payments command's comparison). */
function StripeReconciliation() {
  const { t, locale } = useI18n();
  const check = useCheck(() => api.reconcileWithStripe());
  const report = check.result;

  return (
    <CheckPanel
      testId="admin-stripe-reconciliation"
      buttonTestId="admin-reconcile-stripe"
      title={t('adminPay.stripe.title')}
      action={t('adminPay.stripe.run')}
      hint={t('adminPay.stripe.hint')}
      check={check}
    >
      {report && (
        <>
          <p data-testid="stripe-reconciliation-summary" data-mismatches={report.mismatches.length}>
            {!report.stripeConfigured
              ? t('adminPay.stripe.off')
              : report.mismatches.length === 0
                ? t('adminPay.stripe.clean', { n: report.checked })
                : t('adminPay.stripe.found', { n: report.mismatches.length, total: report.checked })}{' '}
            <span className="muted small">{t('adminPay.stripe.checkedAt', { at: formatDateTime(report.checkedAt, locale) })}</span>
          </p>
          {report.mismatches.length > 0 && (
            <div className="table-wrap">
              <table className="table bordered-table" data-testid="stripe-mismatches">
                <thead>
                  <tr>
                    <th scope="col">{t('adminPay.col.deal')}</th>
                    <th scope="col">{t('adminPay.stripe.col.object')}</th>
                    <th scope="col">{t('adminPay.stripe.col.problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.mismatches.map((m, i) => (
                    <tr key={`${m.paymentId}-${i}`} data-testid="stripe-mismatch" data-payment-id={m.paymentId}>
                      <td>
                        <Link to={`/deals/${encodeURIComponent(m.dealId)}`}>{t('adminPay.openDeal')}</Link>
                      </td>
                      <td>
                        <code>{m.stripeObject}</code>
                      </td>
                      <td data-code={m.code}>{mismatchText(m, t)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </CheckPanel>
  );
}

function mismatchText(m: PaymentMismatch, t: Translate): string {
  const key = mismatchKeys[m.code];
  return key ? t(key, { stripe: m.stripe ?? '—', ours: m.ours ?? '—' }) : m.problem;
}
