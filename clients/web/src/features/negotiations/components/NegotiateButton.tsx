import { useState } from 'react';
import { api } from '../../../api';
import { useAuth } from '../../../auth';
import { Field } from '../../../components/Field';
import { FormErrors } from '../../../components/FormErrors';
import { errorMessages } from '../../../errors';
import { canTrade, lastOrganization } from '../../../hooks/organizationSelection';
import { useI18n } from '../../../i18n';
import { navigate } from '../../../router';

/**
 * "Negotiate" on a listing or a buy-request match, for owners and traders of an organization that is not the seller.
 * With several such organizations the user picks the one that buys; a match answers its buy request's organization.
 */
export function NegotiateButton({
  listingId,
  sellerId,
  buyRequestId,
  buyerOrganizationId,
  panel,
}: {
  listingId: string;
  sellerId: string;
  buyRequestId?: string;
  /** Only this organization may buy (a buy request's own). */
  buyerOrganizationId?: string;
  /** Shown as a panel of its own (nothing at all when the user cannot negotiate). */
  panel?: boolean;
}) {
  const { t } = useI18n();
  const { me } = useAuth();
  const buyers = (me?.organizations ?? []).filter(
    (o) => o.id !== sellerId && canTrade(me, o.id) && (!buyerOrganizationId || o.id === buyerOrganizationId),
  );
  const [chosen, setChosen] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  if (buyers.length === 0) return null;
  const organizationId = buyers.find((o) => o.id === chosen)?.id ?? buyers.find((o) => o.id === lastOrganization())?.id ?? buyers[0]!.id;

  async function open() {
    setBusy(true);
    setErrors([]);
    try {
      const room = await api.openNegotiation({ listingId, buyerOrganizationId: organizationId, ...(buyRequestId ? { buyRequestId } : {}) });
      navigate(`/negotiations/${encodeURIComponent(room.id)}`);
    } catch (e) {
      setErrors(errorMessages(e, t));
      setBusy(false);
    }
  }

  return (
    <div className={panel ? 'panel toolbar-panel negotiate-box' : 'negotiate-box'} data-testid="negotiate-box">
      <div className="toolbar-group">
        {buyers.length > 1 && (
          <Field id={`negotiate-as-${listingId}`} label={t('negotiation.asOrganization')}>
            <select id={`negotiate-as-${listingId}`} data-testid="negotiate-organization" value={organizationId} onChange={(e) => setChosen(e.target.value)}>
              {buyers.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <button type="button" className="button button-primary" data-testid="negotiate-button" disabled={busy} onClick={() => void open()}>
          {t('negotiation.negotiate')}
        </button>
      </div>
      <FormErrors messages={errors} />
    </div>
  );
}
