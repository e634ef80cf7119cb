import { useState } from 'react';
import { api, type Offer, type Room, type RoomEvent } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { FormErrors } from '../../../components/FormErrors';
import { Terms } from '../../../components/TermSheet';
import { errorMessages } from '../../../errors';
import { formatDateTime, formatMoney } from '../../../format';
import { useI18n } from '../../../i18n';
import { isPendingApproval, type PendingApproval } from '../acceptance';
import type { Names } from '../terms';

/**
 * Accepting is binding: the button opens the full terms and the total, and only the explicit confirmation accepts.
 * Above the organization's approval threshold the server answers 202: the offer stays open until a second Owner
 * approves (its expiry still applies).
 */
export function AcceptOfferButton({
  room,
  offer,
  names,
  busy,
  onAccepted,
  onPending,
}: {
  room: Room;
  offer: Offer;
  names: Names;
  busy: boolean;
  onAccepted: (event: RoomEvent) => void;
  onPending: (pending: PendingApproval) => void;
}) {
  const { t, locale } = useI18n();
  const [asking, setAsking] = useState(false);
  const total = offer.total;
  return (
    <>
      <button type="button" className="button button-success" data-testid="offer-accept" disabled={busy} onClick={() => setAsking(true)}>
        {t('negotiation.accept')}
      </button>
      {asking && (
        <ConfirmDialog
          testId="accept-confirm"
          title={t('accept.title')}
          confirmLabel={t('accept.confirm', { total: formatMoney(total, locale) })}
          confirmClass="button-success"
          onConfirm={async () => {
            try {
              const answer = await api.acceptOffer(room.id, offer.id, { total });
              if (isPendingApproval(answer)) onPending(answer);
              else onAccepted(answer);
              return [];
            } catch (e) {
              return errorMessages(e, t);
            }
          }}
          onClose={() => setAsking(false)}
        >
          <p>{t('accept.lead', { buyer: room.buyer.name, seller: room.seller.name })}</p>
          <Terms terms={offer.terms} t={t} locale={locale} names={names} />
          <p className="accept-total" data-testid="accept-total">
            {t('accept.total')} <strong>{formatMoney(total, locale)}</strong>
          </p>
          <p className="muted small">{t('accept.validUntil', { at: formatDateTime(offer.validUntil, locale) })}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/**
 * An acceptance waiting for a second Owner: said to everyone on the accepting side, with the approve button for an
 * Owner other than the one who accepted (the server decides who may; a refusal is shown as it says).
 */
export function PendingApprovalNotice({ room, approval, onApproved }: { room: Room; approval: PendingApproval & { requestedBy?: string | null; mine?: boolean }; onApproved: (event: RoomEvent) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  async function approve() {
    setBusy(true);
    setErrors([]);
    try {
      onApproved(await api.approveAcceptance(room.id, approval.approvalId));
    } catch (e) {
      setErrors(errorMessages(e, t));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="notice notice-info toolbar-panel" data-testid="approval-pending" data-approval-id={approval.approvalId} role="status">
      <p>
        <strong>{t('accept.awaiting')}</strong> {t(approval.mine ? 'accept.awaitingMine' : 'accept.awaitingOther')}
      </p>
      {!approval.mine && (
        <button type="button" className="button button-small button-success" data-testid="approval-approve" disabled={busy} onClick={() => void approve()}>
          {t('negotiation.approve')}
        </button>
      )}
      <FormErrors messages={errors} />
    </div>
  );
}
