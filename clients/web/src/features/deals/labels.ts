// Translated names of the deal codes the server sends (statuses, actions, document kinds, event types).
import type { DealAction, DealEvent, DocumentStatus } from '../../api';
import type { MessageKey, Translate } from '../../i18n';

const statusKeys: Record<string, MessageKey> = {
  agreed: 'deal.status.agreed',
  depositPending: 'deal.status.depositPending',
  depositPaid: 'deal.status.depositPaid',
  shipped: 'deal.status.shipped',
  delivered: 'deal.status.delivered',
  completed: 'deal.status.completed',
  cancelled: 'deal.status.cancelled',
  disputed: 'deal.status.disputed',
};

export const actionKeys: Record<DealAction, { button: MessageKey; question: MessageKey; explain: MessageKey; confirm: MessageKey }> = {
  ship: { button: 'deals.action.ship', question: 'deals.ask.ship', explain: 'deals.explain.ship', confirm: 'deals.confirm.ship' },
  deliver: { button: 'deals.action.deliver', question: 'deals.ask.deliver', explain: 'deals.explain.deliver', confirm: 'deals.confirm.deliver' },
  complete: { button: 'deals.action.complete', question: 'deals.ask.complete', explain: 'deals.explain.complete', confirm: 'deals.confirm.complete' },
  cancel: { button: 'deals.action.cancel', question: 'deals.ask.cancel', explain: 'deals.explain.cancel', confirm: 'deals.confirm.cancel' },
  dispute: { button: 'deals.action.dispute', question: 'deals.ask.dispute', explain: 'deals.explain.dispute', confirm: 'deals.confirm.dispute' },
  resolveComplete: { button: 'deals.action.resolveComplete', question: 'deals.ask.resolveComplete', explain: 'deals.explain.resolveComplete', confirm: 'deals.confirm.resolveComplete' },
  resolveCancel: { button: 'deals.action.resolveCancel', question: 'deals.ask.resolveCancel', explain: 'deals.explain.resolveCancel', confirm: 'deals.confirm.resolveCancel' },
  resolveResume: { button: 'deals.action.resolveResume', question: 'deals.ask.resolveResume', explain: 'deals.explain.resolveResume', confirm: 'deals.confirm.resolveResume' },
};

const documentKindKeys: Record<string, MessageKey> = {
  commercial_invoice: 'deals.doc.commercial_invoice',
  packing_list: 'deals.doc.packing_list',
  certificate_of_origin: 'deals.doc.certificate_of_origin',
  quality_certificate: 'deals.doc.quality_certificate',
  phytosanitary_certificate: 'deals.doc.phytosanitary_certificate',
  rail_waybill: 'deals.doc.rail_waybill',
  bill_of_lading: 'deals.doc.bill_of_lading',
  road_consignment_note: 'deals.doc.road_consignment_note',
  insurance_certificate: 'deals.doc.insurance_certificate',
  bill_of_exchange: 'deals.doc.bill_of_exchange',
  beneficiary_certificate: 'deals.doc.beneficiary_certificate',
};

const documentStatusKeys: Record<DocumentStatus, MessageKey> = {
  missing: 'deals.docStatus.missing',
  uploaded: 'deals.docStatus.uploaded',
  accepted: 'deals.docStatus.accepted',
  rejected: 'deals.docStatus.rejected',
};

const eventKeys: Record<string, MessageKey> = {
  created: 'deals.event.created',
  contract_generated: 'deals.event.contract_generated',
  document_uploaded: 'deals.event.document_uploaded',
  document_accepted: 'deals.event.document_accepted',
  document_rejected: 'deals.event.document_rejected',
};

/** camelCase or snake_case codes from the API, written as words, for a code this client has no name for. */
function words(code: string): string {
  const spaced = code.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function labelOf(keys: Record<string, MessageKey>, code: string | null | undefined, t: Translate): string {
  if (!code) return '';
  const key = keys[code] ?? keys[code.toLowerCase()];
  return key ? t(key) : words(code);
}

/** Accepts the server's enum text in any case ("DepositPaid", "depositPaid"). */
export function normalizeStatus(status: string | null | undefined): string {
  if (!status) return '';
  return status.charAt(0).toLowerCase() + status.slice(1);
}

export const dealStatusLabel = (status: string | null | undefined, t: Translate) => labelOf(statusKeys, normalizeStatus(status), t);
export const documentKindLabel = (kind: string | null | undefined, t: Translate) => labelOf(documentKindKeys, kind, t);
export const documentStatusLabel = (status: DocumentStatus | string, t: Translate) => labelOf(documentStatusKeys, status, t);

const paymentKindKeys: Record<string, MessageKey> = {
  deposit: 'deals.kind.deposit',
  balance: 'deals.kind.balance',
  letterOfCredit: 'deals.kind.letterOfCredit',
  documentaryCollection: 'deals.kind.documentaryCollection',
  payout: 'deals.kind.payout',
  refund: 'deals.kind.refund',
};

const paymentStatusKeys: Record<string, MessageKey> = {
  pending: 'deals.payStatus.pending',
  authorized: 'deals.payStatus.authorized',
  succeeded: 'deals.payStatus.received',
  failed: 'deals.payStatus.failed',
  cancelled: 'deals.payStatus.cancelled',
};

/** A succeeded payment, said the way its kind means it: money received, money sent, an instrument advised. */
const succeededKeys: Record<string, MessageKey> = {
  payout: 'deals.payStatus.sent',
  refund: 'deals.payStatus.sent',
  letterOfCredit: 'deals.payStatus.advised',
  documentaryCollection: 'deals.payStatus.advised',
};

export const paymentKindLabel = (kind: string, t: Translate) => labelOf(paymentKindKeys, kind, t);

export function paymentStatusLabel(status: string, kind: string, t: Translate): string {
  const succeeded = status === 'succeeded' ? succeededKeys[kind] : undefined;
  return succeeded ? t(succeeded) : labelOf(paymentStatusKeys, status, t);
}

/**
 * What a document event is about: the document's kind (from the checklist, else the log's own note, which reads
 * "kind" or, for a rejection, "kind: reason") and the rejection's reason.
 */
export function documentEventDetail(e: DealEvent, kindOf: (documentId: string) => string | null): { kind: string | null; reason: string | null } {
  const note = e.reason ?? '';
  const colon = note.indexOf(': ');
  const noted = colon > 0 ? note.slice(0, colon) : note || null;
  return { kind: (e.documentId ? kindOf(e.documentId) : null) ?? noted, reason: e.kind === 'document_rejected' && colon > 0 ? note.slice(colon + 2) : null };
}

const isDocumentEvent = (e: DealEvent) => e.kind.startsWith('document_');

/** One line of the deal's log in the user's language, and the reason to show beside it (if any). */
export function eventLine(e: DealEvent, t: Translate, kindOf: (documentId: string) => string | null = () => null): { label: string; reason: string | null } {
  if (e.kind === 'transition') {
    return { label: t('deals.event.transition', { from: dealStatusLabel(e.from, t) || '—', to: dealStatusLabel(e.to, t) }), reason: e.reason ?? null };
  }
  const key = eventKeys[e.kind];
  if (isDocumentEvent(e)) {
    const detail = documentEventDetail(e, kindOf);
    const kind = detail.kind ? documentKindLabel(detail.kind, t) : t('deals.event.aDocument');
    return { label: key ? t(key, { kind }) : words(e.kind), reason: detail.reason };
  }
  return { label: key ? t(key) : words(e.kind), reason: e.reason ?? null };
}
