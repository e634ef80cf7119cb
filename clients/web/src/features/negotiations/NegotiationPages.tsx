import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import {
  api,
  ApiError,
  currencies,
  deliveryModes,
  incoterms,
  maxEventsPerRead,
  paymentTermCodes,
  type Listing,
  type Money,
  type Offer,
  type OfferStatus,
  type OfferTermsInput,
  type Room,
  type RoomEvent,
  type RoomOrganization,
  type Side,
  type TermChange,
  type TermSheet,
  type WarehouseRef,
} from '../../api';
import { useAuth } from '../../auth';
import { FieldError, invalidProps } from '../../components/FieldError';
import { FormErrors } from '../../components/FormErrors';
import { StatusBadge } from '../../components/StatusBadge';
import { errorMessages } from '../../errors';
import { decimalText, formatDate, formatDateTime, formatDecimal, localized, normalizeDecimalInput, toDateInput } from '../../format';
import { useI18n, type MessageKey, type Translate } from '../../i18n';
import { formatPrice, formatQuantity, modeLabel, normalizeMode, termLabel, unitsFor } from '../../labels';
import { canTrade, lastOrganization } from '../../hooks/organizationSelection';
import { createHubConnection } from '../../hooks/realtime';
import { Link, navigate, useLocation } from '../../router';
import { leavesOf, useCategories } from '../../taxonomy';
import { usePageTitle } from '../../hooks/usePageTitle';

// ---- Hub errors ----

const hubCodes = ['not_found', 'forbidden', 'conflict', 'invalid', 'rate_limited'] as const;
type HubCode = (typeof hubCodes)[number];

/** A refused hub call: the stable code and the server's detail. SignalR puts "… HubException: " before them. */
export type HubFailure = { code: HubCode | null; detail: string };

export function hubFailure(error: unknown): HubFailure {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf('HubException: ');
  const text = at >= 0 ? message.slice(at + 'HubException: '.length) : message;
  const colon = text.indexOf(': ');
  const code = colon > 0 ? text.slice(0, colon) : '';
  return (hubCodes as readonly string[]).includes(code)
    ? { code: code as HubCode, detail: text.slice(colon + 2) }
    : { code: null, detail: text };
}

/**
 * An `invalid:` detail ("price.amount: Required.; deliveryWindow.to: On or after …") as messages by field. A message
 * may itself hold "; ", so a part starts only where a field path and ": " follow.
 */
function invalidFields(detail: string): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const part of detail.split(/; (?=[A-Za-z][\w.[\]]*: )/)) {
    const at = part.indexOf(': ');
    if (at <= 0) continue;
    // Shape errors of the term sheet come as "terms.price.amount"; the form knows the field as "price.amount".
    const field = part.slice(0, at).replace(/^terms\./, '');
    (byField[field] ??= []).push(part.slice(at + 2));
  }
  return byField;
}

/** Stands for a call not made because the connection is down (the page says so instead of calling). */
const notConnected = new Error('not connected');

/** What to show for a failed hub call (an `invalid:` refusal is listed by field, with the fields' labels). */
function failureMessages(error: unknown, t: Translate, labels: Record<string, string> = {}): string[] {
  if (error === notConnected) return [t('negotiation.error.notConnected')];
  const failure = hubFailure(error);
  if (failure.code === 'invalid') {
    const errors = invalidFields(failure.detail);
    if (Object.keys(errors).length > 0) return errorMessages(new ApiError(400, { title: failure.detail, errors }), t, labels);
  }
  if (failure.code) return [failure.detail];
  return [t('negotiation.error.connection', { message: failure.detail })];
}

// ---- Opening a room ----

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
          <div className="field">
            <label htmlFor={`negotiate-as-${listingId}`}>{t('negotiation.asOrganization')}</label>
            <select id={`negotiate-as-${listingId}`} data-testid="negotiate-organization" value={organizationId} onChange={(e) => setChosen(e.target.value)}>
              {buyers.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="button" className="button button-primary" data-testid="negotiate-button" disabled={busy} onClick={() => void open()}>
          {t('negotiation.negotiate')}
        </button>
      </div>
      <FormErrors messages={errors} />
    </div>
  );
}

// ---- My negotiations ----

const pageSize = 50;

function roleOf(value: string | null): Side | null {
  return value === 'buyer' || value === 'seller' ? value : null;
}

/** All / as buyer / as seller, kept in the address as ?role=. */
export function RoleFilter({ path, role }: { path: string; role: Side | null }) {
  const { t } = useI18n();
  return (
    <nav className="toolbar-group role-filter" aria-label={t('negotiation.roleFilter')}>
      {([null, 'buyer', 'seller'] as const).map((r) => (
        <Link
          key={r ?? 'all'}
          to={r ? `${path}?role=${r}` : path}
          className={`button button-small${role === r ? ' button-primary' : ''}`}
          aria-current={role === r ? 'page' : undefined}
          data-testid={`role-${r ?? 'all'}`}
        >
          {t(r === null ? 'negotiation.all' : r === 'buyer' ? 'negotiation.asBuyer' : 'negotiation.asSeller')}
        </Link>
      ))}
    </nav>
  );
}

/** A list read page by page (?role=, cursor): the first page on load, "load more" for the next. */
export function usePagedList<T>(load: (cursor: string | null, signal?: AbortSignal) => Promise<{ items: T[]; nextCursor?: string | null }>, key: string) {
  const { t } = useI18n();
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [loading, setLoading] = useState(false);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setItems(null);
    setErrors([]);
    setLoading(true);
    loader
      .current(null, controller.signal)
      .then((page) => {
        setItems(page.items);
        setCursor(page.nextCursor ?? null);
      })
      .catch((e: unknown) => !controller.signal.aborted && setErrors(errorMessages(e, t)))
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
    // t is left out on purpose: changing the language must not reload the list.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  async function more() {
    if (!cursor || loading) return;
    setLoading(true);
    try {
      const page = await loader.current(cursor);
      setItems((known) => [...(known ?? []), ...page.items]);
      setCursor(page.nextCursor ?? null);
    } catch (e) {
      setErrors(errorMessages(e, t));
    } finally {
      setLoading(false);
    }
  }

  return { items, errors, loading, hasMore: cursor !== null, more };
}

export function NegotiationsPage() {
  const { t, lang, locale } = useI18n();
  const { query } = useLocation();
  const role = roleOf(query.get('role'));
  const list = usePagedList((cursor, signal) => api.negotiations({ role, cursor, limit: pageSize }, signal), role ?? 'all');
  usePageTitle(t('negotiation.title'));

  return (
    <div className="page">
      <div className="page-toolbar">
        <div className="page-header">
          <h1>{t('negotiation.title')}</h1>
        </div>
        <Link to="/deals" className="button button-small button-ghost" data-testid="negotiations-deals-link">
          {t('deal.title')}
        </Link>
      </div>
      <RoleFilter path="/negotiations" role={role} />
      <FormErrors messages={list.errors} />
      {list.items === null && list.errors.length === 0 && <p className="muted">{t('app.loading')}</p>}
      {list.items?.length === 0 && <p className="muted">{t('negotiation.none')}</p>}
      {list.items && list.items.length > 0 && (
        <div className="table-wrap">
          <table className="table bordered-table" data-testid="negotiations-table">
            <thead>
              <tr>
                <th scope="col">{t('negotiation.col.listing')}</th>
                <th scope="col">{t('negotiation.col.counterpart')}</th>
                <th scope="col">{t('negotiation.col.status')}</th>
                <th scope="col">{t('negotiation.col.openOffer')}</th>
                <th scope="col">{t('negotiation.col.updated')}</th>
                <th scope="col" className="num">
                  {t('negotiation.unread')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => {
                const counterpart = r.mySide === 'seller' ? r.buyer : r.seller;
                return (
                  <tr key={r.id} data-testid="negotiation-row" data-room-id={r.id} data-status={r.status} className={r.unread > 0 ? 'strong' : undefined}>
                    <td>
                      <Link to={`/negotiations/${encodeURIComponent(r.id)}`}>{localized(r.listing.title, lang) || t('listings.untitled')}</Link>
                      {r.mySide && <div className="muted small">{t(r.mySide === 'buyer' ? 'negotiation.youBuy' : 'negotiation.youSell')}</div>}
                    </td>
                    <td>
                      {counterpart.name} <span className="muted">({counterpart.countryCode})</span>
                    </td>
                    <td>
                      <RoomStatusBadge status={r.status} />
                    </td>
                    <td data-testid="negotiation-open-offer">{r.openOffer ? <OfferSummary offer={r.openOffer} room={r} /> : <span className="muted">—</span>}</td>
                    <td className="nowrap">{formatDateTime(r.updatedAt, locale)}</td>
                    <td className="num">
                      {r.unread > 0 && (
                        <span className="badge badge-unread" data-testid="unread-count" title={t('negotiation.unread')}>
                          {r.unread}
                        </span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.hasMore && (
        <button type="button" className="button" data-testid="negotiations-load-more" onClick={() => void list.more()} disabled={list.loading}>
          {t('listings.loadMore')}
        </button>
      )}
    </div>
  );
}

function RoomStatusBadge({ status }: { status: Room['status'] }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-room-${status}`} data-testid="room-status" data-status={status}>
      {t(status === 'agreed' ? 'negotiation.status.agreed' : 'negotiation.status.open')}
    </span>
  );
}

/** "Seller's offer: 241.5 USD/t · 600 t" */
function OfferSummary({ offer, room }: { offer: Offer; room: Pick<Room, 'buyer' | 'seller'> }) {
  const { t, locale } = useI18n();
  const by = offer.side === 'buyer' ? room.buyer.name : room.seller.name;
  return (
    <span>
      <span className="muted">{by}:</span> {formatPrice(offer.terms.price, locale, t)} · {formatQuantity(offer.terms.quantity, locale, t)} · {offer.terms.incoterm}{' '}
      {offer.terms.namedPlace}
    </span>
  );
}

// ---- The room ----

type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** How long "… is typing" stays after the last Typing signal, and how often this client sends one. */
const typingShownMs = 4000;
const typingEveryMs = 3000;

/** Events after which the room itself (open offer, status, deal) has changed and is read again. */
const roomChangingTypes = new Set(['offer', 'counter', 'offer_accepted', 'offer_declined', 'offer_withdrawn', 'offer_expired', 'deal_created']);

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

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

/** Each offer's current status, read from the log: later events answer, counter, withdraw or expire it. */
/** The events that close an offer, and the status each leaves it in. */
const closingEvents: Partial<Record<string, OfferStatus>> = {
  offer_accepted: 'accepted',
  offer_declined: 'declined',
  offer_withdrawn: 'withdrawn',
  offer_expired: 'expired',
};

function offerStatuses(events: readonly RoomEvent[]): Map<string, OfferStatus> {
  const statuses = new Map<string, OfferStatus>();
  for (const e of events) {
    const p = e.payload;
    const offerId = typeof p['offerId'] === 'string' ? p['offerId'] : null;
    switch (e.type) {
      case 'offer':
      case 'counter': {
        const offer = p['offer'] as Offer | undefined;
        if (offer) statuses.set(offer.id, statuses.get(offer.id) ?? 'open');
        const answered = typeof p['counterToOfferId'] === 'string' ? p['counterToOfferId'] : offer?.counterToOfferId;
        if (e.type === 'counter' && answered) statuses.set(answered, 'countered');
        break;
      }
      default: {
        const closed = closingEvents[e.type];
        if (closed && offerId) statuses.set(offerId, closed);
      }
    }
  }
  return statuses;
}

/** The terms of the latest offer in the log: where a new offer starts after one was declined or withdrawn. */
function lastTerms(events: readonly RoomEvent[]): TermSheet | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const offer = events[i]!.payload['offer'] as Offer | undefined;
    if (offer?.terms) return offer.terms;
  }
  return null;
}

/** Labels of the term sheet's fields, for counter differences and field errors. */
function termLabels(t: Translate): Record<string, string> {
  return {
    price: t('negotiation.price'),
    'price.amount': t('negotiation.price'),
    'price.currency': t('search.currency'),
    'price.unit': `${t('negotiation.price')} (${t('editor.unit')})`,
    quantity: t('negotiation.quantity'),
    'quantity.value': t('negotiation.quantity'),
    'quantity.unit': `${t('negotiation.quantity')} (${t('editor.unit')})`,
    tolerancePercent: t('negotiation.tolerance'),
    incoterm: 'Incoterms 2020',
    namedPlace: t('rfq.place'),
    deliveryMode: t('listing.mode'),
    deliveryWindow: t('negotiation.deliveryWindow'),
    'deliveryWindow.from': t('negotiation.deliveryFrom'),
    'deliveryWindow.to': t('negotiation.deliveryTo'),
    paymentTerms: t('listing.paymentTerms'),
    inspectionBody: t('negotiation.inspection'),
    sourceWarehouseId: t('negotiation.shipsFrom'),
    validUntil: t('negotiation.validHours'),
    counterToOfferId: t('negotiation.counterTitle'),
    specs: t('negotiation.specs'),
  };
}

/** What a page knows to name things: warehouses by id, spec keys by the category's schema. */
type Names = { warehouse: (id: string) => string; spec: (key: string) => string };

/** A spec key's name in the user's language, from the schema of the commodity (by its key); else the key. */
export function useSpecLabel(categoryKey: string | null | undefined): (key: string) => string {
  const { lang } = useI18n();
  const { categories } = useCategories();
  const schema = useMemo(
    () => (categories && categoryKey ? leavesOf(categories).find((l) => l.leaf.key === categoryKey)?.leaf.specSchema : null) ?? [],
    [categories, categoryKey],
  );
  return (key) => localized(schema.find((s) => s.key === key)?.label, lang) || key;
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
          {total && <span data-testid="deal-banner-total"> {t('negotiation.dealTotal', { total: `${formatDecimal(total.amount, locale)} ${total.currency}` })}</span>}{' '}
          <Link to={`/deals/${encodeURIComponent(room.dealId)}`}>{t('negotiation.viewDeal')}</Link>
        </p>
      )}

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
                <button type="button" className="button button-success" data-testid="offer-accept" disabled={busy} onClick={() => void call('AcceptOffer', id, open.id)}>
                  {t('negotiation.accept')}
                </button>
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

function mergeWarehouses(known: WarehouseRef[], more: readonly WarehouseRef[]): WarehouseRef[] {
  const byId = new Map(known.map((w) => [w.id, w]));
  for (const w of more) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function Party({ label, organization, mine }: { label: string; organization: RoomOrganization; mine: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {organization.name} <span className="muted">({organization.countryCode})</span> {organization.verified && <StatusBadge status="verified" />}
        {mine && <span className="muted"> · {t('negotiation.yourSide')}</span>}
      </dd>
    </>
  );
}

const offerStatusKeys: Record<OfferStatus, MessageKey> = {
  open: 'negotiation.offerStatus.open',
  countered: 'negotiation.offerStatus.countered',
  withdrawn: 'negotiation.offerStatus.withdrawn',
  declined: 'negotiation.offerStatus.declined',
  expired: 'negotiation.offerStatus.expired',
  accepted: 'negotiation.offerStatus.accepted',
};

function TimelineEvent({
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
            {t('negotiation.event.deal_created')} {total ? `${decimalText(total.amount)} ${total.currency}` : ''}
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
      body = <span className="muted">{p['action'] === 'message_hidden' ? t('negotiation.event.message_hidden') : t('negotiation.event.room_opened')}</span>;
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
  const show = (field: string, value: string | null): string => {
    if (value === null || value === '') return '—';
    switch (field) {
      case 'tolerancePercent':
        return `±${value}%`;
      case 'deliveryMode':
        return modeLabel(value, t);
      case 'paymentTerms':
        return termLabel(value, t);
      case 'deliveryWindow': {
        const [from, to] = value.split('..');
        return from && to ? `${formatDate(from, locale)} – ${formatDate(to, locale)}` : value;
      }
      case 'sourceWarehouseId':
        return names.warehouse(value);
      default:
        // Price and quantity come as the server wrote them ("236 USD/t"), exactly.
        return value;
    }
  };
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
            <th scope="row">{c.field.startsWith('specs.') ? names.spec(c.field.slice('specs.'.length)) : (labels[c.field] ?? c.field)}</th>
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

/** A term sheet as a definition list (offers, counters, deals). */
export function Terms({ terms, t, locale, names }: { terms: TermSheet; t: Translate; locale: string; names?: Partial<Names> }) {
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
      {terms.sourceWarehouseId && (
        <>
          <dt>{t('negotiation.shipsFrom')}</dt>
          <dd>{names?.warehouse ? names.warehouse(terms.sourceWarehouseId) : t('negotiation.sellerWarehouse')}</dd>
        </>
      )}
      {Object.entries(terms.specs ?? {}).map(([key, value]) => (
        <div key={key} className="terms-row">
          <dt>{names?.spec ? names.spec(key) : key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function DeclineButton({ busy, onDecline }: { busy: boolean; onDecline: (reason: string) => Promise<boolean> }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  if (!asking) {
    return (
      <button type="button" className="button button-danger" data-testid="offer-decline" disabled={busy} onClick={() => setAsking(true)}>
        {t('negotiation.decline')}
      </button>
    );
  }
  return (
    <form
      className="toolbar-group decline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onDecline(reason.trim()).then((ok) => ok && setAsking(false));
      }}
    >
      <div className="field">
        <label htmlFor="decline-reason">{t('negotiation.declineReason')}</label>
        <input id="decline-reason" name="decline-reason" data-testid="decline-reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
      </div>
      <button type="submit" className="button button-danger" data-testid="offer-decline-confirm" disabled={busy}>
        {t('negotiation.declineConfirm')}
      </button>
      <button type="button" className="button button-ghost" onClick={() => setAsking(false)}>
        {t('negotiation.cancel')}
      </button>
    </form>
  );
}

function MessageComposer({ onSend, onTyping }: { onSend: (clientMessageId: string, text: string) => Promise<boolean>; onTyping: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  // A failed send keeps its id, so retrying the same text cannot store the message twice.
  const pending = useRef<{ id: string; text: string } | null>(null);
  const lastTyping = useRef(0);

  async function send() {
    const message = text.trim();
    if (!message || sending) return;
    if (pending.current?.text !== message) pending.current = { id: crypto.randomUUID(), text: message };
    setSending(true);
    const sent = await onSend(pending.current.id, message);
    setSending(false);
    if (sent) {
      pending.current = null;
      setText('');
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void send();
  }

  // Enter sends, Shift+Enter starts a new line (not while an input method is composing).
  function keyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  return (
    <form className="message-composer" onSubmit={submit}>
      <label htmlFor="room-message" className="visually-hidden">
        {t('negotiation.message')}
      </label>
      <textarea
        id="room-message"
        name="message"
        data-testid="message-input"
        placeholder={t('negotiation.messagePlaceholder')}
        maxLength={4000}
        rows={2}
        value={text}
        onKeyDown={keyDown}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() && Date.now() - lastTyping.current >= typingEveryMs) {
            lastTyping.current = Date.now();
            onTyping();
          }
        }}
      />
      <button type="submit" className="button button-primary" data-testid="message-send" disabled={sending || !text.trim()}>
        {t('negotiation.send')}
      </button>
    </form>
  );
}

const defaultValidHours = 48;
/** Offers stay open between 5 minutes and 30 days; in whole hours, 1 to 720. */
const maxValidHours = 720;

/** A term sheet, prefilled from the offer it answers, the last offer, or the listing. */
function OfferComposer({
  room,
  listing,
  base,
  counterTo,
  warehouses,
  names,
  onSubmit,
  onCancel,
}: {
  room: Room;
  listing: Listing | null;
  base: TermSheet | null;
  counterTo: Offer | null;
  warehouses: readonly WarehouseRef[];
  names: Names;
  /** Sends the offer; answers null when stored, else the failure. */
  onSubmit: (clientMessageId: string, terms: OfferTermsInput) => Promise<unknown>;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const [fields, setFields] = useState(() => initialFields(base, listing));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [messages, setMessages] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  // Resending unchanged terms after a failure reuses the id: the offer cannot be stored twice.
  const pending = useRef<{ id: string; terms: string } | null>(null);
  const units = unitsFor(room.listing.unit ?? listing?.category.unit);
  const labels = termLabels(t);
  type Key = keyof typeof fields;
  const set = (key: Key) => (e: { target: { value: string } }) => setFields((current) => ({ ...current, [key]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const hours = Number(fields.validHours);
    if (!/^\d+$/.test(fields.validHours.trim()) || hours < 1 || hours > maxValidHours) {
      const message = t('negotiation.error.validHours', { max: maxValidHours });
      setFieldErrors({ validUntil: [message] });
      setMessages([`${labels['validUntil']}: ${message}`]);
      return;
    }
    const terms: Omit<OfferTermsInput, 'validUntil'> = {
      price: { amount: normalizeDecimalInput(fields.amount) || null, currency: fields.currency, unit: fields.priceUnit },
      quantity: { value: normalizeDecimalInput(fields.quantity) || null, unit: fields.quantityUnit },
      tolerancePercent: normalizeDecimalInput(fields.tolerance) || 0,
      incoterm: fields.incoterm,
      namedPlace: fields.namedPlace.trim(),
      deliveryMode: fields.deliveryMode,
      deliveryWindow: { from: fields.from || null, to: fields.to || null },
      paymentTerms: fields.paymentTerms,
      inspectionBody: fields.inspectionBody.trim() || null,
      // Specs are overrides of the listing's: those an earlier offer changed carry over, a first offer changes none.
      specs: base?.specs ?? {},
      sourceWarehouseId: fields.sourceWarehouseId || null,
      ...(counterTo ? { counterToOfferId: counterTo.id } : {}),
    };
    const key = JSON.stringify([terms, hours]);
    if (pending.current?.terms !== key) pending.current = { id: crypto.randomUUID(), terms: key };
    setBusy(true);
    setFieldErrors({});
    setMessages([]);
    const failure = await onSubmit(pending.current.id, { ...terms, validUntil: new Date(Date.now() + hours * 3_600_000).toISOString() });
    setBusy(false);
    if (failure === null) return;
    const refused = hubFailure(failure);
    if (refused.code === 'invalid') setFieldErrors(invalidFields(refused.detail));
    setMessages(failureMessages(failure, t, labels));
  }

  const input = (key: Key, testId: string, path: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`offer-${testId}`}>{labels[path] ?? path}</label>
      <input id={`offer-${testId}`} name={testId} data-testid={testId} value={fields[key]} onChange={set(key)} {...invalidProps(path, fieldErrors)} {...props} />
      <FieldError path={path} errors={fieldErrors} />
    </div>
  );
  const select = (key: Key, testId: string, path: string, options: readonly { value: string; label: string }[], label?: string) => (
    <div className="field">
      <label htmlFor={`offer-${testId}`}>{label ?? labels[path] ?? path}</label>
      <select id={`offer-${testId}`} name={testId} data-testid={testId} value={fields[key]} onChange={set(key)} {...invalidProps(path, fieldErrors)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError path={path} errors={fieldErrors} />
    </div>
  );
  const plain = (values: readonly string[], current: string) => [...new Set([...values, ...(current ? [current] : [])])].map((v) => ({ value: v, label: v }));

  return (
    <form className="form panel offer-form" onSubmit={submit} noValidate data-testid="offer-form" aria-labelledby="offer-form-title">
      <h2 id="offer-form-title">{t(counterTo ? 'negotiation.counterTitle' : 'negotiation.offerTitle')}</h2>
      {counterTo && (
        <p className="muted">
          {t('negotiation.answering')} {formatPrice(counterTo.terms.price, locale, t)} · {formatQuantity(counterTo.terms.quantity, locale, t)}
        </p>
      )}
      <FormErrors messages={messages} />
      <div className="field-row field-row-3">
        {input('amount', 'price-amount', 'price.amount', { inputMode: 'decimal', autoComplete: 'off' })}
        {select('currency', 'price-currency', 'price.currency', plain(currencies, fields.currency))}
        {select('priceUnit', 'price-unit', 'price.unit', plain(units, fields.priceUnit))}
      </div>
      <div className="field-row field-row-3">
        {input('quantity', 'quantity-value', 'quantity.value', { inputMode: 'decimal', autoComplete: 'off' })}
        {select('quantityUnit', 'quantity-unit', 'quantity.unit', plain(units, fields.quantityUnit))}
        {input('tolerance', 'tolerance', 'tolerancePercent', { inputMode: 'decimal', autoComplete: 'off' })}
      </div>
      <div className="field-row field-row-3">
        {select('incoterm', 'incoterm', 'incoterm', plain(incoterms, fields.incoterm))}
        {input('namedPlace', 'named-place', 'namedPlace', { maxLength: 120 })}
        {select(
          'deliveryMode',
          'delivery-mode',
          'deliveryMode',
          deliveryModes.map((m) => ({ value: m, label: modeLabel(m, t) })),
        )}
      </div>
      <div className="field-row">
        {input('from', 'delivery-from', 'deliveryWindow.from', { type: 'date' })}
        {input('to', 'delivery-to', 'deliveryWindow.to', { type: 'date', min: fields.from || undefined })}
      </div>
      <FieldError path="deliveryWindow" errors={fieldErrors} />
      <div className="field-row field-row-3">
        {select(
          'paymentTerms',
          'payment-terms',
          'paymentTerms',
          paymentTermCodes.map((c) => ({ value: c, label: termLabel(c, t) })),
        )}
        {input('inspectionBody', 'inspection-body', 'inspectionBody', { maxLength: 100, placeholder: 'SGS, Bureau Veritas, CCIC' })}
        {input('validHours', 'valid-hours', 'validUntil', { inputMode: 'numeric', type: 'number', min: 1, max: maxValidHours, step: 1 })}
      </div>
      {room.mySide === 'seller' &&
        select(
          'sourceWarehouseId',
          'source-warehouse',
          'sourceWarehouseId',
          [
            { value: '', label: t('negotiation.noWarehouse') },
            ...warehouses.map((w) => ({ value: w.id, label: names.warehouse(w.id) })),
            ...(fields.sourceWarehouseId && !warehouses.some((w) => w.id === fields.sourceWarehouseId)
              ? [{ value: fields.sourceWarehouseId, label: names.warehouse(fields.sourceWarehouseId) }]
              : []),
          ],
          t('negotiation.sourceWarehouse'),
        )}
      <div className="toolbar-group">
        <button type="submit" className="button button-primary" data-testid="offer-submit" disabled={busy}>
          {t(counterTo ? 'negotiation.sendCounter' : 'negotiation.sendOffer')}
        </button>
        <button type="button" className="button button-ghost" data-testid="offer-cancel" onClick={onCancel}>
          {t('negotiation.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The form's text fields from the offer answered (or the last one), else from the listing's own terms. */
function initialFields(base: TermSheet | null, listing: Listing | null) {
  const day = 86_400_000;
  const from = base?.deliveryWindow.from ?? toDateInput(new Date(Date.now() + (listing?.leadTimeDays ?? 14) * day).toISOString());
  return {
    amount: decimalText(base?.price.amount ?? listing?.price.amount),
    currency: base?.price.currency ?? listing?.price.currency ?? 'USD',
    priceUnit: base?.price.unit ?? listing?.price.unit ?? 't',
    quantity: decimalText(base?.quantity.value ?? listing?.minOrder.value),
    quantityUnit: base?.quantity.unit ?? listing?.minOrder.unit ?? 't',
    tolerance: decimalText(base?.tolerancePercent ?? 5),
    incoterm: base?.incoterm ?? listing?.incoterm ?? 'FCA',
    namedPlace: base?.namedPlace ?? listing?.namedPlace ?? '',
    deliveryMode: normalizeMode(base?.deliveryMode ?? listing?.deliveryMode ?? 'rail'),
    from,
    to: base?.deliveryWindow.to ?? toDateInput(new Date(new Date(from).getTime() + 30 * day).toISOString()),
    paymentTerms: base?.paymentTerms ?? listing?.paymentTerms[0] ?? 'lc_sight',
    inspectionBody: base ? (base.inspectionBody ?? '') : 'SGS',
    sourceWarehouseId: base?.sourceWarehouseId ?? '',
    validHours: String(defaultValidHours),
  };
}
