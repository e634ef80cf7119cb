import type { Deal, DealEvent } from '../../../api';
import { formatDateTime } from '../../../format';
import { useI18n } from '../../../i18n';
import { actorSide, steps } from '../dealLog';
import { useAuth } from '../../../auth';
import { sameId } from '../../negotiations/roomLog';
import { dealStatusLabel, eventLine } from '../labels';

/** The happy path of a deal as steps: done, current, to come (or skipped once cancelled or disputed). */
export function DealProgress({ status, events }: { status: string; events: readonly DealEvent[] }) {
  const { t, locale } = useI18n();
  return (
    <ol className="deal-steps" data-testid="deal-steps" aria-label={t('deals.progress')}>
      {steps(status, events).map((s) => (
        <li key={s.status} className={`deal-step deal-step-${s.state}`} data-testid="deal-step" data-status={s.status} data-state={s.state}>
          <span className="deal-step-name">{dealStatusLabel(s.status, t)}</span>
          {s.at && <span className="muted small">{formatDateTime(s.at, locale)}</span>}
        </li>
      ))}
    </ol>
  );
}

/** The deal's own log, oldest first: each transition and recorded fact with who, when and why. */
export function DealEventLog({ deal, events }: { deal: Deal; events: readonly DealEvent[] }) {
  const { t, locale } = useI18n();
  const { me } = useAuth();
  const kindOf = (documentId: string) => deal.checklist?.find((c) => c.documentId && sameId(c.documentId, documentId))?.kind ?? null;
  // "Seller · Kostanay Grain Terminal LLP", "Buyer · You", "Platform admin", "Platform".
  const actorName = (e: DealEvent) => {
    const side = actorSide(e);
    if (!e.actorUserId || side === 'system') return t('deals.actor.system');
    if (side === 'admin') return t('deals.actor.admin');
    const name = me && sameId(e.actorUserId, me.id) ? t('deals.actor.you') : side === 'buyer' ? deal.buyer.name : side === 'seller' ? deal.seller.name : null;
    if (!side) return name ?? t('deals.actor.participant');
    return t('deals.actor.line', { side: t(side === 'buyer' ? 'deals.actor.buyer' : 'deals.actor.seller'), name: name ?? t('deals.actor.participant') });
  };
  if (events.length === 0) return <p className="muted">{t('deals.log.empty')}</p>;
  return (
    <ol className="deal-log" data-testid="deal-log" aria-live="polite" aria-relevant="additions">
      {events.map((e, i) => {
        const line = eventLine(e, t, kindOf);
        return (
          <li key={e.sequence ?? `${e.at}-${i}`} data-testid="deal-event" data-kind={e.kind} data-to={e.to ?? undefined} data-actor-side={actorSide(e) ?? undefined}>
            <div className="deal-log-head">
              <strong>{line.label}</strong>
              <span className="muted small">
                <span data-testid="deal-event-actor">{actorName(e)}</span> · <time dateTime={e.at}>{formatDateTime(e.at, locale)}</time>
              </span>
            </div>
            {line.reason && (
              <p className="deal-log-reason" data-testid="deal-event-reason">
                {t('deals.log.reason')}: {line.reason}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
