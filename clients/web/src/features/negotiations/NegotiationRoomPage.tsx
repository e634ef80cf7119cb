import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import {
  api,
  maxEventsPerRead,
  type Listing,
  type Money,
  type Offer,
  type OfferTermsInput,
  type Room,
  type RoomEvent,
  type RoomOrganization,
  type Side,
  type TermSheet,
  type WarehouseRef,
} from '../../api';
import { useAuth } from '../../auth';
import { FormErrors } from '../../components/FormErrors';
import { StatusBadge } from '../../components/StatusBadge';
import { errorMessages } from '../../errors';
import { formatDateTime, formatMoney, formatPrice, formatQuantity, localized } from '../../format';
import { createHubConnection } from '../../hooks/realtime';
import { usePageTitle } from '../../hooks/usePageTitle';
import { useSpecLabel } from '../../hooks/useSpecLabel';
import { useI18n, type MessageKey } from '../../i18n';
import { Link } from '../../router';
import { OfferComposer } from './components/OfferComposer';
import { DeclineButton, MessageComposer } from './components/RoomControls';
import { AcceptOfferButton, PendingApprovalNotice } from './components/AcceptOffer';
import { pendingApproval, type PendingApproval } from './acceptance';
import { RoomStatusBadge } from './components/RoomStatusBadge';
import { TimelineEvent } from './components/Timeline';
import { failureMessages, notConnected } from './hubErrors';
import { lastTerms, mergeWarehouses, offerStatuses, roomChangingTypes, sameId } from './roomLog';
import type { Names } from './terms';

type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** How long "… is typing" stays after the last Typing signal. */
const typingShownMs = 4000;

/** Whether the page is in front of the user (read receipts wait for it). */
function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

export function NegotiationRoomPage({ id }: { id: string }) {
  const { t, lang, locale } = useI18n();
  const { me, isStaff } = useAuth();
  const visible = usePageVisible();
  const [room, setRoom] = useState<Room | null>(null);
  const [loadErrors, setLoadErrors] = useState<string[]>([]);
  /** The listing the room is about (prefills a first offer); null when it cannot be read. */
  const [listing, setListing] = useState<Listing | null | undefined>(undefined);
  const [warehouses, setWarehouses] = useState<WarehouseRef[]>([]);
  const [events, setEvents] = useState<RoomEvent[]>([]);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [caughtUp, setCaughtUp] = useState<number | null>(null);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const [readBy, setReadBy] = useState<Record<string, number>>({});
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [composer, setComposer] = useState<{ base: TermSheet | null; counterTo: Offer | null } | null>(null);
  const [dealTotal, setDealTotal] = useState<Money | null>(null);
  const [approval, setApproval] = useState<(PendingApproval & { mine?: boolean }) | null>(null);

  const hub = useRef<HubConnection | null>(null);
  const reconnect = useRef<() => void>(() => undefined);
  // The log by sequence: pushes, join answers and reads merge here, so duplicates collapse and late ones fall into place.
  const log = useRef(new Map<number, RoomEvent>());
  // Every event up to this sequence is held; a higher one arriving means a gap to read from the server.
  const contiguous = useRef(0);
  const catchingUp = useRef(false);
  const markedRead = useRef(0);
  const timeline = useRef<HTMLOListElement | null>(null);
  const context = useRef({ t, meId: me?.id, isStaff });
  useEffect(() => {
    context.current = { t, meId: me?.id, isStaff };
  });
  usePageTitle(room ? localized(room.listing.title, lang) : t('negotiation.title'));

  const loadRoom = useCallback(async () => {
    try {
      const loaded = await api.negotiation(id);
      markedRead.current = Math.max(markedRead.current, loaded.lastReadSequence);
      setRoom(loaded);
      setLoadErrors([]);
    } catch (e) {
      setLoadErrors(errorMessages(e, context.current.t));
    }
  }, [id]);

  /** Merges events into the log; answers how many were new. */
  const store = useCallback(
    (incoming: readonly RoomEvent[]): number => {
      let added = 0;
      let roomChanged = false;
      const known = log.current;
      for (const e of incoming) {
        if (e.roomId && !sameId(e.roomId, id)) continue;
        if (!known.has(e.sequence)) added++;
        known.set(e.sequence, e);
        if (roomChangingTypes.has(e.type)) roomChanged = true;
        const target = e.payload['sequence'];
        if (e.type === 'system' && e.payload['action'] === 'message_hidden' && typeof target === 'number') {
          // A moderator hid a message already on screen: participants no longer see its text.
          const hidden = known.get(target);
          if (hidden && !hidden.hidden) known.set(target, { ...hidden, hidden: true, payload: context.current.isStaff ? hidden.payload : { hidden: true } });
        }
        const typist = e.actor?.userId;
        if (e.type === 'message' && typist) {
          setTyping((current) => {
            if (!(typist in current)) return current;
            const next = { ...current };
            delete next[typist];
            return next;
          });
        }
      }
      while (known.has(contiguous.current + 1)) contiguous.current++;
      setEvents([...known.values()].sort((a, b) => a.sequence - b.sequence));
      if (roomChanged) void loadRoom();
      return added;
    },
    [id, loadRoom],
  );

  /** Reads the log from the last contiguous event until the server has no more: fills gaps and long absences. */
  const catchUp = useCallback(async (): Promise<number> => {
    if (catchingUp.current) return 0;
    catchingUp.current = true;
    let added = 0;
    try {
      for (let pages = 0; pages < 100; pages++) {
        const page = await api.negotiationEvents(id, contiguous.current, 200);
        added += store(page.items);
        if (!page.nextCursor || page.items.length === 0) break;
      }
    } catch {
      // The next push, reconnect or room read tries again.
    } finally {
      catchingUp.current = false;
    }
    return added;
  }, [id, store]);

  const receive = useCallback(
    (incoming: readonly RoomEvent[]): number => {
      const added = store(incoming);
      const highest = Math.max(0, ...incoming.map((e) => e.sequence));
      if (highest > contiguous.current) void catchUp();
      return added;
    },
    [store, catchUp],
  );

  useEffect(() => {
    void loadRoom();
  }, [loadRoom]);

  // The room says how far its log goes: anything past what is held is read (e.g. pushed while this page loaded).
  useEffect(() => {
    if (room && room.lastSequence > contiguous.current && connection === 'live') void catchUp();
  }, [room, connection, catchUp]);

  const listingId = room?.listing.id;
  const sellerId = room?.seller.id;
  const mySide = room?.mySide;
  useEffect(() => {
    if (!listingId) return;
    const controller = new AbortController();
    api
      .listing(listingId, controller.signal)
      .then(setListing)
      .catch(() => !controller.signal.aborted && setListing(null));
    // Warehouses holding the listing's stock, by name (the seller's own list adds the empty ones).
    api
      .availability(listingId, controller.signal)
      .then((stock) => setWarehouses((known) => mergeWarehouses(known, stock.map((s) => s.warehouse))))
      .catch(() => undefined);
    if (mySide === 'seller' && sellerId) {
      api
        .warehouses(sellerId, controller.signal)
        .then((own) => setWarehouses((known) => mergeWarehouses(known, own)))
        .catch(() => undefined);
    }
    return () => controller.abort();
  }, [listingId, sellerId, mySide]);

  const dealId = room?.dealId ?? null;
  const dealEvent = events.find((e) => e.type === 'deal_created');
  useEffect(() => {
    if (!dealId || dealEvent) return;
    const controller = new AbortController();
    api
      .deal(dealId, controller.signal)
      .then((deal) => setDealTotal(deal.total))
      .catch(() => undefined);
    return () => controller.abort();
  }, [dealId, dealEvent]);

  useEffect(() => {
    const socket = createHubConnection('/hubs/negotiations');
    hub.current = socket;
    let live = true;

    // Handlers answer nothing: SignalR treats a returned value as a result the server did not ask for.
    socket.on('RoomEvent', (e: RoomEvent) => {
      receive([e]);
    });
    socket.on('Typing', (e: { roomId: string; userId: string }) => {
      if (!sameId(e.roomId, id) || e.userId === context.current.meId) return;
      const at = Date.now();
      setTyping((current) => ({ ...current, [e.userId]: at }));
      window.setTimeout(() => {
        setTyping((current) => {
          if (current[e.userId] !== at) return current;
          const next = { ...current };
          delete next[e.userId];
          return next;
        });
      }, typingShownMs);
    });
    socket.on('Read', (e: { roomId: string; userId: string; sequence: number }) => {
      if (!sameId(e.roomId, id) || e.userId === context.current.meId) return;
      setReadBy((current) => ({ ...current, [e.userId]: Math.max(current[e.userId] ?? 0, e.sequence) }));
    });

    // Rejoins from the last contiguous event (not merely the highest seen): the answer then also fills any gap.
    async function join(): Promise<number> {
      const missed = await socket.invoke<RoomEvent[]>('JoinRoom', id, contiguous.current);
      let added = receive(missed);
      if (missed.length >= maxEventsPerRead) added += await catchUp();
      return added;
    }

    function failed(e: unknown) {
      if (!live) return;
      setConnection('offline');
      setErrors(failureMessages(e, context.current.t));
    }

    socket.onreconnecting(() => {
      if (live) setConnection('reconnecting');
    });
    // Back in the room after a drop: what was missed is merged, counted for the notice, and the room re-read.
    function rejoin(connected: Promise<unknown>) {
      connected
        .then(join)
        .then((added) => {
          if (!live) return;
          setConnection('live');
          setCaughtUp(added);
          void loadRoom();
        })
        .catch(failed);
    }

    socket.onreconnected(() => rejoin(Promise.resolve()));
    socket.onclose(() => {
      if (live) setConnection('offline');
    });

    reconnect.current = () => {
      if (!live) return;
      setConnection('connecting');
      setErrors([]);
      rejoin(socket.state === HubConnectionState.Disconnected ? socket.start() : Promise.resolve());
    };

    socket
      .start()
      .then(join)
      .then(() => live && setConnection('live'))
      .catch(failed);

    // Back online after the automatic retries gave up: try again at once.
    const online = () => {
      if (socket.state === HubConnectionState.Disconnected) reconnect.current();
    };
    window.addEventListener('online', online);
    return () => {
      live = false;
      window.removeEventListener('online', online);
      hub.current = null;
      void socket.stop();
    };
  }, [id, receive, catchUp, loadRoom]);

  // "N missed events loaded" fades after a while.
  useEffect(() => {
    if (caughtUp === null) return;
    const timer = window.setTimeout(() => setCaughtUp(null), 8000);
    return () => window.clearTimeout(timer);
  }, [caughtUp]);

  // Follow the conversation: the newest event stays in view.
  useEffect(() => {
    if (timeline.current) timeline.current.scrollTop = timeline.current.scrollHeight;
  }, [events.length]);

  // What is on screen counts as read, once the page is in front and connected.
  const lastShown = events.at(-1)?.sequence ?? 0;
  useEffect(() => {
    const connected = hub.current;
    if (connection !== 'live' || !visible || !connected || lastShown <= markedRead.current) return;
    const sequence = lastShown;
    markedRead.current = sequence;
    connected.invoke('MarkRead', id, sequence).catch(() => {
      if (markedRead.current === sequence) markedRead.current = 0;
    });
  }, [id, lastShown, connection, visible]);

  const statuses = useMemo(() => offerStatuses(events), [events]);
  const sideOfUser = useMemo(() => {
    const sides = new Map<string, Side>();
    for (const e of events) {
      if (e.actor?.side) sides.set(e.actor.userId, e.actor.side);
      if (e.type === 'participant_joined' && typeof e.payload['userId'] === 'string' && (e.payload['side'] === 'buyer' || e.payload['side'] === 'seller')) {
        sides.set(e.payload['userId'], e.payload['side']);
      }
    }
    return sides;
  }, [events]);

  const specLabel = useSpecLabel(room?.listing.categoryKey ?? listing?.category.key);
  const names: Names = {
    warehouse: (warehouseId) => {
      const w = warehouses.find((x) => sameId(x.id, warehouseId));
      return w ? `${w.name} (${w.city}, ${w.countryCode})` : t('negotiation.sellerWarehouse');
    },
    spec: specLabel,
  };

  /** Calls a state-changing hub method; the stored event it answers with goes into the timeline at once. */
  async function call(method: string, ...args: unknown[]): Promise<boolean> {
    setErrors([]);
    const connected = hub.current;
    if (!connected || connected.state !== HubConnectionState.Connected) {
      setErrors(failureMessages(notConnected, t));
      return false;
    }
    setBusy(true);
    try {
      receive([await connected.invoke<RoomEvent>(method, ...args)]);
      return true;
    } catch (e) {
      setErrors(failureMessages(e, t));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function makeOffer(clientMessageId: string, terms: OfferTermsInput): Promise<unknown> {
    const connected = hub.current;
    if (!connected || connected.state !== HubConnectionState.Connected) return notConnected;
    try {
      receive([await connected.invoke<RoomEvent>('MakeOffer', id, clientMessageId, terms)]);
      setComposer(null);
      return null;
    } catch (e) {
      return e;
    }
  }

  if (!room) {
    return (
      <div className="page">
        <p className="breadcrumbs">
          <Link to="/negotiations">{t('negotiation.back')}</Link>
        </p>
        <h1>{t('negotiation.title')}</h1>
        {loadErrors.length ? <FormErrors messages={loadErrors} /> : <p className="muted">{t('app.loading')}</p>}
      </div>
    );
  }

  const open = room.openOffer;
  const acting = room.canAct && room.status === 'open';
  const theirs = open !== null && open.side !== room.mySide;
  const seenUpTo = Math.max(0, ...Object.values(readBy));
  const nameOf = (side: Side | null | undefined) => (side === 'buyer' ? room.buyer.name : side === 'seller' ? room.seller.name : null);
  const typists = [...new Set(Object.keys(typing).map((userId) => nameOf(sideOfUser.get(userId)) ?? t('negotiation.someone')))];
  const total = (dealEvent?.payload['totalAmount'] as Money | undefined) ?? dealTotal;
  // The 202's answer until its event is in the log; from then on the log says whether it still waits.
  const approvalLogged = approval !== null && events.some((e) => e.payload['approvalId'] === approval.approvalId);
  const shownApproval = approval && !approvalLogged ? approval : pendingApproval(events, me?.id, room.mySide);

  return (
    <div className="page negotiation-room">
      <p className="breadcrumbs">
        <Link to="/negotiations">{t('negotiation.back')}</Link>
      </p>
      <div className="page-header">
        <p className="eyebrow">{t('negotiation.roomEyebrow')}</p>
        <div className="title-row">
          <h1 data-testid="room-title">
            <Link to={`/listings/${encodeURIComponent(room.listing.id)}`}>{localized(room.listing.title, lang) || t('listings.untitled')}</Link>
          </h1>
          <RoomStatusBadge status={room.status} />
          <span className={`badge connection-${connection}`} data-testid="connection-state" data-state={connection} role="status">
            {t(`negotiation.connection.${connection}` as MessageKey)}
          </span>
        </div>
        <dl className="details room-parties">
          <Party label={t('negotiation.buyer')} organization={room.buyer} mine={room.mySide === 'buyer'} />
          <Party label={t('negotiation.seller')} organization={room.seller} mine={room.mySide === 'seller'} />
        </dl>
      </div>

      {connection === 'reconnecting' && (
        <p className="notice notice-info" data-testid="connection-notice">
          {t('negotiation.reconnectingNotice')}
        </p>
      )}
      {connection === 'offline' && (
        <div className="notice notice-error toolbar-panel" data-testid="connection-notice">
          <p>{t('negotiation.offlineNotice')}</p>
          <button type="button" className="button button-small" data-testid="connection-retry" onClick={() => reconnect.current()}>
            {t('negotiation.reconnect')}
          </button>
        </div>
      )}
      {caughtUp !== null && caughtUp > 0 && (
        <p className="notice notice-info" role="status" data-testid="caught-up">
          {t('negotiation.caughtUp', { count: caughtUp })}
        </p>
      )}

      {room.status === 'agreed' && room.dealId && (
        <p className="notice notice-success deal-banner" data-testid="deal-banner" role="status">
          <strong>{t('negotiation.dealAgreed')}</strong>
          {total && <span data-testid="deal-banner-total"> {t('negotiation.dealTotal', { total: formatMoney(total, locale) })}</span>}{' '}
          <Link to={`/deals/${encodeURIComponent(room.dealId)}`}>{t('negotiation.viewDeal')}</Link>
        </p>
      )}

      {shownApproval && room.status === 'open' && <PendingApprovalNotice room={room} approval={shownApproval} onApproved={(e) => receive([e])} />}

      <FormErrors messages={errors} />

      <section className="panel room-log" aria-label={t('negotiation.timeline')}>
        {events.length === 0 && <p className="muted">{connection === 'live' ? t('negotiation.empty') : t('app.loading')}</p>}
        <ol className="timeline" data-testid="room-timeline" ref={timeline} aria-live="polite" aria-relevant="additions">
          {events.map((e) => (
            <TimelineEvent
              key={e.sequence}
              event={e}
              room={room}
              mine={e.actor?.userId === me?.id}
              seen={e.sequence <= seenUpTo}
              status={(e.payload['offer'] as Offer | undefined)?.id ? statuses.get((e.payload['offer'] as Offer).id) : undefined}
              names={names}
            />
          ))}
        </ol>
        <p className="muted typing" data-testid="typing-indicator" aria-live="polite" hidden={typists.length === 0}>
          {typists.length > 0 && t('negotiation.typingNamed', { name: typists.join(', ') })}
        </p>
      </section>

      {open && acting && (
        <section className="panel offer-actions" data-testid="offer-actions" data-offer-id={open.id} aria-label={t(theirs ? 'negotiation.theirOpenOffer' : 'negotiation.yourOpenOffer')}>
          <p>
            <strong>{t(theirs ? 'negotiation.theirOpenOffer' : 'negotiation.yourOpenOffer')}</strong> {formatPrice(open.terms.price, locale, t)} ·{' '}
            {formatQuantity(open.terms.quantity, locale, t)} · {open.terms.incoterm} {open.terms.namedPlace} ·{' '}
            <span className="muted">
              {t('negotiation.validUntil')} {formatDateTime(open.validUntil, locale)}
            </span>
          </p>
          <div className="toolbar-group">
            {theirs ? (
              <>
                <AcceptOfferButton room={room} offer={open} names={names} busy={busy} onAccepted={(e) => receive([e])} onPending={(p) => {
                    if (p.event) receive([p.event]);
                    setApproval({ ...p, mine: true });
                  }} />
                <DeclineButton busy={busy} onDecline={(reason) => call('DeclineOffer', id, open.id, reason)} />
                <button
                  type="button"
                  className="button"
                  data-testid="offer-counter"
                  disabled={busy}
                  aria-expanded={composer?.counterTo?.id === open.id}
                  onClick={() => setComposer({ base: open.terms, counterTo: open })}
                >
                  {t('negotiation.counter')}
                </button>
              </>
            ) : (
              <button type="button" className="button button-danger" data-testid="offer-withdraw" disabled={busy} onClick={() => void call('WithdrawOffer', id, open.id)}>
                {t('negotiation.withdraw')}
              </button>
            )}
          </div>
        </section>
      )}

      {acting && !open && !composer && (
        <p>
          <button type="button" className="button" data-testid="offer-open-composer" onClick={() => setComposer({ base: lastTerms(events), counterTo: null })}>
            {t('negotiation.makeOffer')}
          </button>
        </p>
      )}

      {composer && acting && (
        <>
          {composer.base || listing ? (
            <OfferComposer
              key={composer.counterTo?.id ?? 'new'}
              room={room}
              listing={listing ?? null}
              base={composer.base}
              counterTo={composer.counterTo}
              warehouses={room.mySide === 'seller' ? warehouses : []}
              names={names}
              onCancel={() => setComposer(null)}
              onSubmit={makeOffer}
            />
          ) : listing === null ? (
            <FormErrors messages={[t('negotiation.error.noListing')]} />
          ) : (
            <p className="muted">{t('app.loading')}</p>
          )}
        </>
      )}

      {room.canAct ? (
        <MessageComposer
          onSend={(clientMessageId, text) => call('SendMessage', id, clientMessageId, text)}
          onTyping={() => {
            const connected = hub.current;
            if (connected?.state === HubConnectionState.Connected) connected.invoke('Typing', id).catch(() => undefined);
          }}
        />
      ) : (
        <p className="muted" data-testid="room-read-only">
          {t('negotiation.readOnly')}
        </p>
      )}
    </div>
  );
}

function Party({ label, organization, mine }: { label: string; organization: RoomOrganization; mine: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <Link to={`/companies/${encodeURIComponent(organization.id)}`} data-testid="room-party-link">
          {organization.name}
        </Link>{' '}
        <span className="muted">({organization.countryCode})</span> {organization.verified && <StatusBadge status="verified" />}
        {mine && <span className="muted"> · {t('negotiation.yourSide')}</span>}
      </dd>
    </>
  );
}
