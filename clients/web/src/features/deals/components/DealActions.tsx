import { useState } from 'react';
import { api, type Deal, type DealAction } from '../../../api';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { errorMessages } from '../../../errors';
import { formatMoney } from '../../../format';
import { useI18n } from '../../../i18n';
import { availableActions, reasonRequired } from '../dealLog';
import { actionKeys } from '../labels';

const wayOut = new Set<DealAction>(['cancel', 'dispute', 'resolveCancel']);

/**
 * The transitions the server allows the caller now (allowedTransitions), each behind a confirmation; cancelling and
 * disputing ask for the reason the other side will read. A refusal (409) is shown in the dialog as the server names it.
 */
export function DealActions({ deal, onChanged }: { deal: Deal; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const [asking, setAsking] = useState<DealAction | null>(null);
  const actions = availableActions(deal.allowedTransitions);
  if (actions.length === 0) return null;
  return (
    <section className="panel" data-testid="deal-actions" aria-label={t('deals.actions')}>
      <h2>{t('deals.actions')}</h2>
      <div className="toolbar-group">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`button ${wayOut.has(a) ? 'button-danger' : 'button-primary'}`}
            data-testid={`deal-action-${a}`}
            onClick={() => setAsking(a)}
          >
            {t(actionKeys[a].button)}
          </button>
        ))}
      </div>
      {asking && (
        <ConfirmDialog
          key={asking}
          testId="deal-confirm"
          title={t(actionKeys[asking].question)}
          confirmLabel={t(actionKeys[asking].confirm)}
          confirmClass={wayOut.has(asking) ? 'button-danger' : 'button-primary'}
          reason={{ label: t('deals.reason'), required: reasonRequired.has(asking) }}
          onConfirm={async (reason) => {
            try {
              await api.dealTransition(deal.id, asking, reason || undefined);
              onChanged();
              return [];
            } catch (e) {
              return errorMessages(e, t, { reason: t('deals.reason') });
            }
          }}
          onClose={() => setAsking(null)}
        >
          <p>{t(actionKeys[asking].explain, { total: formatMoney(deal.total, locale), buyer: deal.buyer.name, seller: deal.seller.name })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
