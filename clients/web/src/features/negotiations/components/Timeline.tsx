import type { ReactNode } from 'react';
import type { Money, Offer, OfferStatus, Room, RoomEvent, TermChange } from '../../../api';
import { Terms } from '../../../components/TermSheet';
import { formatDateTime, formatMoney } from '../../../format';
import { renderSystemEvent } from '../../../serverText';
import { useI18n, type MessageKey } from '../../../i18n';
import { Link } from '../../../router';
import { changeLabel, changeText, termLabels, type Names } from '../terms';

const offerStatusKeys: Record<OfferStatus, MessageKey> = {
  open: 'negotiation.offerStatus.open',
  countered: 'negotiation.offerStatus.countered',
  withdrawn: 'negotiation.offerStatus.withdrawn',
  declined: 'negotiation.offerStatus.declined',
  expired: 'negotiation.offerStatus.expired',
  accepted: 'negotiation.offerStatus.accepted',
};

export function TimelineEvent({
  event,
  room,
  mine,
  seen,
  status,
  names,
}: {
  event: RoomEvent;
  room: Room;
  mine: boolean;
  seen: boolean;
  status: OfferStatus | undefined;
  names: Names;
}) {
  const { t, locale } = useI18n();
  const who = event.actor?.side === 'buyer' ? room.buyer.name : event.actor?.side === 'seller' ? room.seller.name : t('negotiation.system');
  const p = event.payload;
  let body: ReactNode;
  switch (event.type) {
    case 'message':
      body =
        event.hidden && typeof p['text'] !== 'string' ? (
          <em className="muted">{t('negotiation.hidden')}</em>
        ) : (
          <>
            {event.hidden && <em className="muted">{t('negotiation.hiddenForOthers')} </em>}
            <span className="message-text">{String(p['text'] ?? '')}</span>
          </>
        );
      break;
    case 'offer':
    case 'counter': {
      const offer = p['offer'] as Offer;
      const changes = (p['changes'] as TermChange[] | undefined) ?? [];
      body = (
        <div className="offer-card" data-offer-id={offer.id}>
          <div className="offer-card-title">
            <strong>{t(event.type === 'offer' ? 'negotiation.event.offer' : 'negotiation.event.counter')}</strong>{' '}
            {status && (
              <span className={`badge badge-offer-${status}`} data-testid="offer-status" data-status={status}>
                {t(offerStatusKeys[status])}
              </span>
            )}
          </div>
          {event.type === 'counter' && changes.length > 0 && <CounterChanges changes={changes} names={names} />}
          {event.type === 'counter' ? (
            <details>
              <summary>{t('negotiation.allTerms')}</summary>
              <Terms terms={offer.terms} t={t} locale={locale} names={names} />
            </details>
          ) : (
            <Terms terms={offer.terms} t={t} locale={locale} names={names} />
          )}
          <p className="muted small">
            {t('negotiation.validUntil')} {formatDateTime(offer.validUntil, locale)}
          </p>
        </div>
      );
      break;
    }
    case 'acceptance_pending':
    case 'offer_accepted':
    case 'offer_declined':
    case 'offer_withdrawn':
    case 'offer_expired':
      body = (
        <span>
          {t(`negotiation.event.${event.type}` as MessageKey)}
          {typeof p['reason'] === 'string' && p['reason'] ? `: ${p['reason']}` : ''}
        </span>
      );
      break;
    case 'deal_created': {
      const total = p['totalAmount'] as Money | undefined;
      const dealId = typeof p['dealId'] === 'string' ? p['dealId'] : room.dealId;
      body = (
        <span>
          <strong>
            {t('negotiation.event.deal_created')} {formatMoney(total, locale)}
          </strong>
          {dealId && (
            <>
              {' '}
              <Link to={`/deals/${encodeURIComponent(dealId)}`}>{t('negotiation.viewDeal')}</Link>
            </>
          )}
        </span>
      );
      break;
    }
    case 'participant_joined':
      body = <span className="muted">{t('negotiation.event.participant_joined')}</span>;
      break;
    default:
      if (p['action'] === 'from_live_session' || p['code'] === 'from_live_session') {
        const sessionId = typeof p['sessionId'] === 'string' ? p['sessionId'] : null;
        body = (
          <span className="muted" data-testid="room-from-session">
            {t('live.roomFromSession', { title: String(p['title'] ?? '') })}{' '}
            {sessionId && <Link to={`/live/${encodeURIComponent(sessionId)}`}>{t('live.roomFromSessionLink')}</Link>}
          </span>
        );
        break;
      }
      body = <span className="muted">{renderSystemEvent(p, t)}</span>;
  }
  const kind = event.type === 'message' ? 'message' : event.type === 'offer' || event.type === 'counter' ? 'offer' : 'notice';
  return (
    <li
      className={`timeline-event timeline-${kind}${mine ? ' mine' : ''}`}
      data-testid="room-event"
      data-type={event.type}
      data-sequence={event.sequence}
      data-hidden={event.hidden || undefined}
    >
      <div className="muted timeline-meta">
        {who} · <time dateTime={event.at}>{formatDateTime(event.at, locale)}</time>
        {mine && seen && <span data-testid="read-receipt"> · {t('negotiation.seen')}</span>}
      </div>
      {body}
    </li>
  );
}

/** A counter-offer's differences from the offer it answers, one row per changed term (from → to). */
function CounterChanges({ changes, names }: { changes: readonly TermChange[]; names: Names }) {
  const { t, locale } = useI18n();
  const labels = termLabels(t);
  const show = (field: string, value: string | null) => changeText(field, value, { t, locale, warehouse: names.warehouse });
  return (
    <table className="table counter-changes" aria-label={t('negotiation.changes')}>
      <thead>
        <tr>
          <th scope="col">{t('negotiation.changeField')}</th>
          <th scope="col">{t('negotiation.changeFrom')}</th>
          <th scope="col">{t('negotiation.changeTo')}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field} data-testid="counter-change" data-field={c.field}>
            <th scope="row">{changeLabel(c.field, labels, names.spec)}</th>
            <td className="muted">
              <del>{show(c.field, c.from)}</del>
            </td>
            <td>
              <span aria-hidden="true">→ </span>
              <ins>{show(c.field, c.to)}</ins>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
