import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import {
  currencies,
  deliveryModes,
  incoterms,
  paymentTermCodes,
  request,
  type Decimal,
  type Listing,
  type LocalizedText,
  type Page,
  type PriceValue,
  type QuantityValue,
} from '../api';
import { useAuth } from '../auth';
import { FieldError, invalidProps } from '../components/FieldError';
import { FormErrors } from '../components/FormErrors';
import { errorMessages } from '../errors';
import { decimalText, formatDate, formatDateTime, localized, normalizeDecimalInput, toDateInput } from '../format';
import { useI18n, type MessageKey, type Translate } from '../i18n';
import { formatPrice, formatQuantity, modeLabel, normalizeMode, termLabel, unitsFor } from '../labels';
import { createHubConnection } from '../realtime';
import { Link, navigate, useLocation } from '../router';
import { usePageTitle } from '../usePageTitle';

// ---- The API's shapes (CONTRACT.md "Negotiations and deals") ----

export type Side = 'buyer' | 'seller';
type OfferStatus = 'open' | 'countered' | 'withdrawn' | 'declined' | 'expired' | 'accepted';
export type TermSheet = {
  price: PriceValue;
  quantity: QuantityValue;
  tolerancePercent: Decimal;
  incoterm: string;
  namedPlace: string;
  deliveryMode: string;
  deliveryWindow: { from: string; to: string };
  paymentTerms: string;
  inspectionBody: string | null;
  specs: Record<string, string>;
  sourceWarehouseId: string | null;
};
type Offer = { id: string; side: Side; madeBy: string; status: OfferStatus; terms: TermSheet; validUntil: string; counterToOfferId: string | null; sequence: number };
export type RoomOrganization = { id: string; name: string; countryCode: string; verified: boolean };
export type RoomListing = { id: string; title: LocalizedText; categoryKey: string; unit: string | null };
type Room = {
  id: string;
  listing: RoomListing;
  buyer: RoomOrganization;
  seller: RoomOrganization;
  buyRequestId: string | null;
  status: 'open' | 'agreed';
  mySide: Side | null;
  canAct: boolean;
  lastSequence: number;
  lastReadSequence: number;
  unread: number;
  openOffer: Offer | null;
  dealId: string | null;
  updatedAt: string;
};
type RoomEvent = { roomId: string; sequence: number; type: string; actor: { userId: string; side: Side | null } | null; at: string; payload: Record<string, unknown>; hidden: boolean };
type Change = { field: string; from: string | null; to: string | null };

/** The stable code and detail of a refused hub call: SignalR puts "… HubException: " before them. */
export function hubErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf('HubException: ');
  return at >= 0 ? message.slice(at + 'HubException: '.length) : message;
}

/** Opens (or finds) the room for a listing and a buyer organization, then goes there. */
export async function openNegotiation(listingId: string, buyerOrganizationId: string, buyRequestId?: string): Promise<void> {
  const room = await request<Room>('/api/negotiations', { method: 'POST', body: { listingId, buyerOrganizationId, ...(buyRequestId ? { buyRequestId } : {}) } });
  navigate(`/negotiations/${encodeURIComponent(room.id)}`);
}

/** "Negotiate" on a listing or a match: for members of a buyer organization that is not the seller. */
export function NegotiateButton({ listingId, sellerId, buyRequestId }: { listingId: string; sellerId: string; buyRequestId?: string }) {
  const { t } = useI18n();
  const { me } = useAuth();
  const buyers = (me?.organizations ?? []).filter((o) => o.id !== sellerId && (o.role === 'owner' || o.role === 'trader'));
  const [organizationId, setOrganizationId] = useState(buyers[0]?.id ?? '');
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  if (buyers.length === 0) return null;

  async function open() {
    setBusy(true);
    try {
      await openNegotiation(listingId, organizationId || buyers[0]!.id, buyRequestId);
    } catch (e) {
      setErrors(errorMessages(e, t));
      setBusy(false);
    }
  }

  return (
    <div className="toolbar-group">
      {buyers.length > 1 && (
        <select aria-label={t('negotiation.asOrganization')} value={organizationId} onChange={(e) => setOrganizationId(e.target.value)}>
          {buyers.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      )}
      <button type="button" className="button button-primary" data-testid="negotiate-button" disabled={busy} onClick={() => void open()}>
        {t('negotiation.negotiate')}
      </button>
      <FormErrors messages={errors} />
    </div>
  );
}

// ---- My negotiations ----

export function NegotiationsPage() {
  const { t, lang, locale } = useI18n();
  const { query } = useLocation();
  const role = query.get('role') === 'buyer' || query.get('role') === 'seller' ? (query.get('role') as Side) : null;
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  usePageTitle(t('negotiation.title'));

  useEffect(() => {
    const controller = new AbortController();
    request<Page<Room>>('/api/negotiations', { query: { role: role ?? undefined, limit: 100 }, signal: controller.signal })
      .then((page) => setRooms(page.items))
      .catch((e: unknown) => !(e instanceof DOMException) && setErrors(errorMessages(e, t)));
    return () => controller.abort();
  }, [role, t]);

  return (
    <div>
      <h1>{t('negotiation.title')}</h1>
      <p className="toolbar-group">
        {([null, 'buyer', 'seller'] as const).map((r) => (
          <Link key={r ?? 'all'} to={r ? `/negotiations?role=${r}` : '/negotiations'} className={`button button-small${role === r ? ' button-primary' : ''}`}>
            {t(r === null ? 'negotiation.all' : r === 'buyer' ? 'negotiation.asBuyer' : 'negotiation.asSeller')}
          </Link>
        ))}
        <Link to="/deals" className="button button-small button-ghost">
          {t('deal.title')}
        </Link>
      </p>
      <FormErrors messages={errors} />
      {rooms?.length === 0 && <p className="muted">{t('negotiation.none')}</p>}
      <table className="table">
        <tbody>
          {rooms?.map((r) => (
            <tr key={r.id} data-testid="negotiation-row" data-room-id={r.id}>
              <td>
                <Link to={`/negotiations/${encodeURIComponent(r.id)}`}>{localized(r.listing.title, lang)}</Link>
              </td>
              <td>{r.mySide === 'seller' ? r.buyer.name : r.seller.name}</td>
              <td>{t(r.status === 'agreed' ? 'negotiation.status.agreed' : 'negotiation.status.open')}</td>
              <td>{r.openOffer ? `${formatPrice(r.openOffer.terms.price, locale, t)} · ${formatQuantity(r.openOffer.terms.quantity, locale, t)}` : ''}</td>
              <td>{formatDateTime(r.updatedAt, locale)}</td>
              <td>
                {r.unread > 0 && (
                  <span className="badge" data-testid="unread-count" title={t('negotiation.unread')}>
                    {r.unread}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---- The room ----

type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Merges events by sequence: duplicates from a rejoin collapse, late arrivals fall into place. */
function merge(known: RoomEvent[], incoming: RoomEvent[]): RoomEvent[] {
  const bySequence = new Map(known.map((e) => [e.sequence, e]));
  for (const e of incoming) bySequence.set(e.sequence, e);
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}

export function NegotiationRoomPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const { me } = useAuth();
  const [room, setRoom] = useState<Room | null>(null);
  const [listing, setListing] = useState<Listing | null>(null);
  const [events, setEvents] = useState<RoomEvent[]>([]);
  const [state, setState] = useState<ConnectionState>('connecting');
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [readBy, setReadBy] = useState<Record<string, number>>({});
  const [errors, setErrors] = useState<string[]>([]);
  const [composer, setComposer] = useState<{ base: TermSheet | null; counterTo: Offer | null } | null>(null);
  const connection = useRef<HubConnection | null>(null);
  const highest = useRef(0);
  const timeline = useRef<HTMLOListElement | null>(null);
  usePageTitle(room ? localized(room.listing.title, lang) : t('negotiation.title'));

  const loadRoom = useCallback(async () => {
    try {
      setRoom(await request<Room>(`/api/negotiations/${encodeURIComponent(id)}`));
    } catch (e) {
      setErrors(errorMessages(e, t));
    }
  }, [id, t]);

  const receive = useCallback(
    (incoming: RoomEvent[]) => {
      if (incoming.length === 0) return;
      setEvents((known) => merge(known, incoming));
      const top = Math.max(...incoming.map((e) => e.sequence));
      const gap = incoming.some((e) => e.sequence > highest.current + 1) && highest.current > 0;
      highest.current = Math.max(highest.current, top);
      if (gap) {
        // Something was missed (a dropped push): read it from the log.
        request<Page<RoomEvent>>(`/api/negotiations/${encodeURIComponent(id)}/events`, { query: { after: 0, limit: 500 } })
          .then((page) => setEvents((known) => merge(known, page.items)))
          .catch(() => undefined);
      }
      if (incoming.some((e) => e.type !== 'message' && e.type !== 'participant_joined')) void loadRoom();
    },
    [id, loadRoom],
  );

  useEffect(() => {
    void loadRoom();
  }, [loadRoom]);

  useEffect(() => {
    if (!room?.listing.id || listing?.id === room.listing.id) return;
    request<Listing>(`/api/listings/${encodeURIComponent(room.listing.id)}`).then(setListing).catch(() => undefined);
  }, [room?.listing.id, listing?.id]);

  useEffect(() => {
    const hub = createHubConnection('/hubs/negotiations');
    connection.current = hub;
    let live = true;
    hub.on('RoomEvent', (e: RoomEvent) => e.roomId === id && receive([e]));
    hub.on('Typing', (e: { roomId: string; userId: string }) => {
      if (e.roomId !== id || e.userId === me?.id) return;
      setTyping((current) => ({ ...current, [e.userId]: Date.now() }));
    });
    hub.on('Read', (e: { roomId: string; userId: string; sequence: number }) => {
      if (e.roomId !== id || e.userId === me?.id) return;
      setReadBy((current) => ({ ...current, [e.userId]: Math.max(current[e.userId] ?? 0, e.sequence) }));
    });
    hub.onreconnecting(() => live && setState('reconnecting'));
    hub.onreconnected(async () => {
      // Catch up from the last event seen; the server sends only what came after it.
      receive(await hub.invoke<RoomEvent[]>('JoinRoom', id, highest.current));
      if (live) setState('live');
    });
    hub.onclose(() => live && setState('offline'));
    hub
      .start()
      .then(() => hub.invoke<RoomEvent[]>('JoinRoom', id, highest.current))
      .then((missed) => {
        receive(missed);
        if (live) setState('live');
      })
      .catch((e: unknown) => {
        if (!live) return;
        setState('offline');
        setErrors([hubErrorText(e)]);
      });
    return () => {
      live = false;
      void hub.stop();
    };
  }, [id, me?.id, receive]);

  // Typing indicators fade after 4 s.
  useEffect(() => {
    const timer = window.setInterval(() => setTyping((current) => Object.fromEntries(Object.entries(current).filter(([, at]) => Date.now() - at < 4000))), 1000);
    return () => window.clearInterval(timer);
  }, []);

  // Follow the conversation: the newest event stays in view.
  useEffect(() => {
    if (timeline.current) timeline.current.scrollTop = timeline.current.scrollHeight;
  }, [events.length]);

  // What is on screen counts as read.
  const lastSeen = events.at(-1)?.sequence ?? 0;
  useEffect(() => {
    if (lastSeen > 0 && state === 'live') connection.current?.invoke('MarkRead', id, lastSeen).catch(() => undefined);
  }, [id, lastSeen, state]);

  async function call(method: string, ...args: unknown[]): Promise<boolean> {
    setErrors([]);
    try {
      const stored = await connection.current!.invoke<RoomEvent>(method, ...args);
      receive([stored]);
      return true;
    } catch (e) {
      setErrors([hubErrorText(e)]);
      return false;
    }
  }

  if (!room) {
    return (
      <div>
        <h1>{t('negotiation.title')}</h1>
        {errors.length ? <FormErrors messages={errors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }

  const open = room.openOffer;
  const canAnswer = room.canAct && open !== null && open.side !== room.mySide;
  const typingNow = Object.keys(typing).length > 0;
  const seenUpTo = Math.max(0, ...Object.values(readBy));
  return (
    <div className="negotiation-room">
      <p className="breadcrumbs">
        <Link to="/negotiations">{t('negotiation.back')}</Link>
      </p>
      <div className="page-header">
        <p className="eyebrow">
          {room.buyer.name} ({room.buyer.countryCode}) ⇄ {room.seller.name} ({room.seller.countryCode})
        </p>
        <div className="title-row">
          <h1 data-testid="room-title">
            <Link to={`/listings/${encodeURIComponent(room.listing.id)}`}>{localized(room.listing.title, lang)}</Link>
          </h1>
          <span className="badge" data-testid="room-status">
            {t(room.status === 'agreed' ? 'negotiation.status.agreed' : 'negotiation.status.open')}
          </span>
          <span className={`badge connection-${state}`} data-testid="connection-state" data-state={state}>
            {t(`negotiation.connection.${state}` as MessageKey)}
          </span>
        </div>
      </div>
      {room.status === 'agreed' && room.dealId && (
        <p className="notice notice-success" data-testid="deal-banner">
          {t('negotiation.dealAgreed')} <Link to={`/deals/${encodeURIComponent(room.dealId)}`}>{t('negotiation.viewDeal')}</Link>
        </p>
      )}
      <FormErrors messages={errors} />
      <ol className="timeline" data-testid="room-timeline" ref={timeline}>
        {events.map((e) => (
          <TimelineEvent key={e.sequence} event={e} room={room} mine={e.actor?.userId === me?.id} seen={e.sequence <= seenUpTo} t={t} locale={locale} />
        ))}
      </ol>
      <p className="muted typing" data-testid="typing-indicator" hidden={!typingNow}>
        {t('negotiation.typing')}
      </p>
      {open && room.canAct && (
        <div className="toolbar-group panel" data-testid="offer-actions">
          <span>
            {t(open.side === room.mySide ? 'negotiation.yourOpenOffer' : 'negotiation.theirOpenOffer')} {formatPrice(open.terms.price, locale, t)} ·{' '}
            {formatQuantity(open.terms.quantity, locale, t)}
          </span>
          {canAnswer ? (
            <>
              <button type="button" className="button button-primary" data-testid="offer-accept" onClick={() => void call('AcceptOffer', id, open.id)}>
                {t('negotiation.accept')}
              </button>
              <DeclineButton onDecline={(reason) => call('DeclineOffer', id, open.id, reason)} />
              <button type="button" className="button" data-testid="offer-counter" onClick={() => setComposer({ base: open.terms, counterTo: open })}>
                {t('negotiation.counter')}
              </button>
            </>
          ) : (
            <button type="button" className="button" data-testid="offer-withdraw" onClick={() => void call('WithdrawOffer', id, open.id)}>
              {t('negotiation.withdraw')}
            </button>
          )}
        </div>
      )}
      {room.canAct && room.status === 'open' && !open && !composer && (
        <button type="button" className="button" data-testid="offer-open-composer" onClick={() => setComposer({ base: lastTerms(events), counterTo: null })}>
          {t('negotiation.makeOffer')}
        </button>
      )}
      {composer && listing && (
        <OfferComposer
          room={room}
          listing={listing}
          base={composer.base}
          counterTo={composer.counterTo}
          onCancel={() => setComposer(null)}
          onSubmit={async (terms) => {
            try {
              const stored = await connection.current!.invoke<RoomEvent>('MakeOffer', id, crypto.randomUUID(), terms);
              receive([stored]);
              setComposer(null);
              return null;
            } catch (e) {
              return hubErrorText(e);
            }
          }}
        />
      )}
      {room.canAct && <MessageComposer onSend={(clientMessageId, text) => call('SendMessage', id, clientMessageId, text)} onTyping={() => connection.current?.state === HubConnectionState.Connected && void connection.current.invoke('Typing', id).catch(() => undefined)} />}
    </div>
  );
}

function lastTerms(events: RoomEvent[]): TermSheet | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const offer = events[i]!.payload['offer'] as Offer | undefined;
    if (offer) return offer.terms;
  }
  return null;
}

function TimelineEvent({ event, room, mine, seen, t, locale }: { event: RoomEvent; room: Room; mine: boolean; seen: boolean; t: Translate; locale: string }) {
  const who = event.actor?.side === 'buyer' ? room.buyer.name : event.actor?.side === 'seller' ? room.seller.name : t('negotiation.system');
  const p = event.payload;
  let body: React.ReactNode;
  switch (event.type) {
    case 'message':
      body = event.hidden && !('text' in p) ? <em className="muted">{t('negotiation.hidden')}</em> : <span className="message-text">{String(p['text'] ?? '')}</span>;
      break;
    case 'offer':
    case 'counter': {
      const offer = p['offer'] as Offer;
      body = (
        <div>
          <strong>{t(event.type === 'offer' ? 'negotiation.event.offer' : 'negotiation.event.counter')}</strong>
          <Terms terms={offer.terms} t={t} locale={locale} />
          <p className="muted">
            {t('negotiation.validUntil')} {formatDateTime(offer.validUntil, locale)}
          </p>
          {event.type === 'counter' && (
            <table className="table changes">
              <tbody>
                {(p['changes'] as Change[]).map((c) => (
                  <tr key={c.field} data-testid="counter-change" data-field={c.field}>
                    <th>{c.field}</th>
                    <td className="muted">
                      <del>{c.from ?? '—'}</del>
                    </td>
                    <td>→ {c.to ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      );
      break;
    }
    case 'offer_accepted':
    case 'offer_declined':
    case 'offer_withdrawn':
    case 'offer_expired':
      body = (
        <span>
          {t(`negotiation.event.${event.type}` as MessageKey)}
          {p['reason'] ? `: ${String(p['reason'])}` : ''}
        </span>
      );
      break;
    case 'deal_created': {
      const total = p['totalAmount'] as { amount: Decimal; currency: string };
      body = (
        <strong>
          {t('negotiation.event.deal_created')} {decimalText(total.amount)} {total.currency}
        </strong>
      );
      break;
    }
    case 'participant_joined':
      body = <span className="muted">{t('negotiation.event.participant_joined')}</span>;
      break;
    default:
      body = <span className="muted">{p['action'] === 'message_hidden' ? t('negotiation.event.message_hidden') : t('negotiation.event.room_opened')}</span>;
  }
  return (
    <li className={`timeline-event${mine ? ' mine' : ''}`} data-testid="room-event" data-type={event.type} data-sequence={event.sequence}>
      <div className="muted timeline-meta">
        {who} · {formatDateTime(event.at, locale)}
        {mine && seen && <span data-testid="read-receipt"> · {t('negotiation.seen')}</span>}
      </div>
      {body}
    </li>
  );
}

export function Terms({ terms, t, locale }: { terms: TermSheet; t: Translate; locale: string }) {
  return (
    <dl className="terms">
      <dt>{t('negotiation.price')}</dt>
      <dd>{formatPrice(terms.price, locale, t)}</dd>
      <dt>{t('negotiation.quantity')}</dt>
      <dd>
        {formatQuantity(terms.quantity, locale, t)} ±{decimalText(terms.tolerancePercent)}%
      </dd>
      <dt>Incoterms 2020</dt>
      <dd>
        {terms.incoterm} {terms.namedPlace} ({modeLabel(terms.deliveryMode, t)})
      </dd>
      <dt>{t('negotiation.deliveryWindow')}</dt>
      <dd>
        {formatDate(terms.deliveryWindow.from, locale)} – {formatDate(terms.deliveryWindow.to, locale)}
      </dd>
      <dt>{t('listing.paymentTerms')}</dt>
      <dd>{termLabel(terms.paymentTerms, t)}</dd>
      {terms.inspectionBody && (
        <>
          <dt>{t('negotiation.inspection')}</dt>
          <dd>{terms.inspectionBody}</dd>
        </>
      )}
      {Object.entries(terms.specs).map(([key, value]) => (
        <div key={key} className="terms-row">
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function DeclineButton({ onDecline }: { onDecline: (reason: string) => Promise<boolean> }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  if (!asking) {
    return (
      <button type="button" className="button button-danger" data-testid="offer-decline" onClick={() => setAsking(true)}>
        {t('negotiation.decline')}
      </button>
    );
  }
  return (
    <span className="toolbar-group">
      <input aria-label={t('negotiation.declineReason')} placeholder={t('negotiation.declineReason')} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="decline-reason" />
      <button type="button" className="button button-danger" data-testid="offer-decline-confirm" onClick={() => void onDecline(reason).then((ok) => ok && setAsking(false))}>
        {t('negotiation.decline')}
      </button>
    </span>
  );
}

function MessageComposer({ onSend, onTyping }: { onSend: (clientMessageId: string, text: string) => Promise<boolean>; onTyping: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  // A failed send keeps its id: the retry cannot store the message twice.
  const pendingId = useRef<string | null>(null);
  const lastTyping = useRef(0);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    pendingId.current ??= crypto.randomUUID();
    if (await onSend(pendingId.current, text)) {
      pendingId.current = null;
      setText('');
    }
  }

  return (
    <form className="message-composer" onSubmit={submit}>
      <textarea
        data-testid="message-input"
        aria-label={t('negotiation.message')}
        placeholder={t('negotiation.message')}
        maxLength={4000}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          pendingId.current = null;
          if (Date.now() - lastTyping.current > 3000) {
            lastTyping.current = Date.now();
            onTyping();
          }
        }}
      />
      <button type="submit" className="button button-primary" data-testid="message-send">
        {t('negotiation.send')}
      </button>
    </form>
  );
}

type Warehouse = { id: string; name: string; city: string; countryCode: string };

/** A term sheet, prefilled from the offer it answers, the last offer, or the listing. */
function OfferComposer({
  room,
  listing,
  base,
  counterTo,
  onSubmit,
  onCancel,
}: {
  room: Room;
  listing: Listing;
  base: TermSheet | null;
  counterTo: Offer | null;
  onSubmit: (terms: unknown) => Promise<string | null>;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const today = new Date();
  const start = base?.deliveryWindow.from ?? toDateInput(new Date(today.getTime() + (listing.leadTimeDays ?? 14) * 86_400_000).toISOString());
  const [fields, setFields] = useState({
    amount: decimalText(base?.price.amount ?? listing.price.amount),
    currency: base?.price.currency ?? listing.price.currency,
    priceUnit: base?.price.unit ?? listing.price.unit,
    quantity: decimalText(base?.quantity.value ?? listing.minOrder.value),
    quantityUnit: base?.quantity.unit ?? listing.minOrder.unit,
    tolerance: decimalText(base?.tolerancePercent ?? 5),
    incoterm: base?.incoterm ?? listing.incoterm,
    namedPlace: base?.namedPlace ?? listing.namedPlace,
    deliveryMode: normalizeMode(base?.deliveryMode ?? listing.deliveryMode),
    from: start,
    to: base?.deliveryWindow.to ?? toDateInput(new Date(new Date(start).getTime() + 30 * 86_400_000).toISOString()),
    paymentTerms: base?.paymentTerms ?? listing.paymentTerms[0] ?? 'lc_sight',
    inspectionBody: base?.inspectionBody ?? 'SGS',
    sourceWarehouseId: base?.sourceWarehouseId ?? '',
    validHours: '48',
  });
  const [warehouses, setWarehouses] = useState<Warehouse[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const units = unitsFor(room.listing.unit);
  const set = (key: keyof typeof fields) => (e: { target: { value: string } }) => setFields({ ...fields, [key]: e.target.value });

  useEffect(() => {
    if (room.mySide !== 'seller') return;
    request<Warehouse[]>('/api/warehouses', { query: { organizationId: room.seller.id } })
      .then(setWarehouses)
      .catch(() => undefined);
  }, [room.mySide, room.seller.id]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setMessages([]);
    const terms = {
      price: { amount: normalizeDecimalInput(fields.amount) || null, currency: fields.currency, unit: fields.priceUnit },
      quantity: { value: normalizeDecimalInput(fields.quantity) || null, unit: fields.quantityUnit },
      tolerancePercent: normalizeDecimalInput(fields.tolerance) || 0,
      incoterm: fields.incoterm,
      namedPlace: fields.namedPlace,
      deliveryMode: fields.deliveryMode,
      deliveryWindow: { from: fields.from || null, to: fields.to || null },
      paymentTerms: fields.paymentTerms,
      inspectionBody: fields.inspectionBody || null,
      specs: base?.specs ?? {},
      sourceWarehouseId: fields.sourceWarehouseId || null,
      validUntil: new Date(Date.now() + Number(fields.validHours || '48') * 3_600_000).toISOString(),
      ...(counterTo ? { counterToOfferId: counterTo.id } : {}),
    };
    const error = await onSubmit(terms);
    setBusy(false);
    if (!error) return;
    // "invalid: field: message; field: message" → errors by field, shown beside the inputs.
    if (error.startsWith('invalid: ')) {
      const byField: Record<string, string[]> = {};
      for (const part of error.slice('invalid: '.length).split('; ')) {
        const at = part.indexOf(': ');
        if (at > 0) (byField[part.slice(0, at)] ??= []).push(part.slice(at + 2));
      }
      setFieldErrors(byField);
    }
    setMessages([error]);
  }

  const input = (key: keyof typeof fields, testId: string, label: string, path: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`offer-${testId}`}>{label}</label>
      <input id={`offer-${testId}`} data-testid={testId} value={fields[key]} onChange={set(key)} {...invalidProps(path, fieldErrors)} {...props} />
      <FieldError path={path} errors={fieldErrors} />
    </div>
  );
  const select = (key: keyof typeof fields, testId: string, label: string, options: readonly { value: string; label: string }[]) => (
    <div className="field">
      <label htmlFor={`offer-${testId}`}>{label}</label>
      <select id={`offer-${testId}`} data-testid={testId} value={fields[key]} onChange={set(key)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError path={key} errors={fieldErrors} />
    </div>
  );
  const plain = (values: readonly string[]) => values.map((v) => ({ value: v, label: v }));

  return (
    <form className="form panel" onSubmit={submit} noValidate data-testid="offer-form">
      <h2>{t(counterTo ? 'negotiation.counterTitle' : 'negotiation.offerTitle')}</h2>
      {counterTo && (
        <p className="muted">
          {t('negotiation.answering')} {formatPrice(counterTo.terms.price, locale, t)} · {formatQuantity(counterTo.terms.quantity, locale, t)}
        </p>
      )}
      <FormErrors messages={messages} />
      <div className="field-row">
        {input('amount', 'price-amount', t('negotiation.price'), 'price.amount', { inputMode: 'decimal' })}
        {select('currency', 'price-currency', t('search.currency'), plain(currencies))}
        {select('priceUnit', 'price-unit', t('editor.unit'), plain(units))}
      </div>
      <div className="field-row">
        {input('quantity', 'quantity-value', t('negotiation.quantity'), 'quantity.value', { inputMode: 'decimal' })}
        {select('quantityUnit', 'quantity-unit', t('editor.unit'), plain(units))}
        {input('tolerance', 'tolerance', t('negotiation.tolerance'), 'tolerancePercent', { inputMode: 'decimal' })}
      </div>
      <div className="field-row">
        {select('incoterm', 'incoterm', 'Incoterms 2020', plain(incoterms))}
        {input('namedPlace', 'named-place', t('rfq.place'), 'namedPlace')}
        {select('deliveryMode', 'delivery-mode', t('listing.mode'), deliveryModes.map((m) => ({ value: m, label: modeLabel(m, t) })))}
      </div>
      <div className="field-row">
        {input('from', 'delivery-from', t('negotiation.deliveryFrom'), 'deliveryWindow.from', { type: 'date' })}
        {input('to', 'delivery-to', t('negotiation.deliveryTo'), 'deliveryWindow.to', { type: 'date' })}
      </div>
      <div className="field-row">
        {select('paymentTerms', 'payment-terms', t('listing.paymentTerms'), paymentTermCodes.map((c) => ({ value: c, label: termLabel(c, t) })))}
        {input('inspectionBody', 'inspection-body', t('negotiation.inspection'), 'inspectionBody')}
        {input('validHours', 'valid-hours', t('negotiation.validHours'), 'validUntil', { inputMode: 'numeric' })}
      </div>
      {room.mySide === 'seller' &&
        select('sourceWarehouseId', 'source-warehouse', t('negotiation.sourceWarehouse'), [
          { value: '', label: t('negotiation.noWarehouse') },
          ...warehouses.map((w) => ({ value: w.id, label: `${w.name} (${w.city}, ${w.countryCode})` })),
        ])}
      <div className="toolbar-group">
        <button type="submit" className="button button-primary" data-testid="offer-submit" disabled={busy}>
          {t(counterTo ? 'negotiation.sendCounter' : 'negotiation.sendOffer')}
        </button>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          {t('negotiation.cancel')}
        </button>
      </div>
    </form>
  );
}

