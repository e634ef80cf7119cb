import { useCallback, useEffect, useRef, useState } from 'react';
import { HubConnectionState, type HubConnection } from '@microsoft/signalr';
import type { LiveEvent, LiveRole, LiveSession, LiveSnapshot, LiveViewers } from '../../api';
import { createHubConnection } from '../../hooks/realtime';
import { boardFromSnapshot, receiveEvents, type LiveBoard } from './liveBoard';

export type LiveConnection = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** A refused or failed hub call: the stable code ("forbidden", "full", …) when the server gave one, and its words. */
export type LiveFailure = { code: string | null; detail: string };

const liveCodes = ['not_found', 'forbidden', 'conflict', 'invalid', 'rate_limited', 'unauthorized', 'full'];

export function liveFailure(error: unknown): LiveFailure {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf('HubException: ');
  const text = at >= 0 ? message.slice(at + 'HubException: '.length) : message;
  const colon = text.indexOf(': ');
  const code = colon > 0 ? text.slice(0, colon) : '';
  return liveCodes.includes(code) ? { code, detail: text.slice(colon + 2) } : { code: null, detail: text };
}

const viewerKeyName = 'scoda.live.viewerKey';

/**
 * The browser's viewer key: a random UUID kept in localStorage, so a reload or reconnect of an anonymous visitor is
 * the same unique viewer (signed-in viewers count by their account whatever the key). Null where storage or
 * crypto.randomUUID is unavailable: the server then counts the connection.
 */
export function viewerKey(storage: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage()): string | null {
  try {
    const held = storage?.getItem(viewerKeyName);
    if (held && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(held)) return held;
    if (!storage || typeof crypto === 'undefined' || !('randomUUID' in crypto)) return null;
    const made = crypto.randomUUID();
    storage.setItem(viewerKeyName, made);
    return made;
  } catch {
    return null;
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

/** Catch-up reads after a reconnect or a gap: JoinSession hands out at most 500 events a time. */
const maxCatchUps = 20;

/**
 * The session's live side: one connection to /hubs/live, the board built from JoinSession's snapshot and advanced
 * by pushed events in sequence order; after a drop (or a gap) it joins again from the last event it holds.
 */
export function useLiveSession(id: string, meId: string | undefined) {
  const [board, setBoard] = useState<LiveBoard | null>(null);
  const [session, setSession] = useState<LiveSession | null>(null);
  const [role, setRole] = useState<LiveRole>('viewer');
  const [viewers, setViewers] = useState(0);
  const [connection, setConnection] = useState<LiveConnection>('connecting');
  const [failure, setFailure] = useState<LiveFailure | null>(null);
  const [caughtUp, setCaughtUp] = useState<number | null>(null);
  const hub = useRef<HubConnection | null>(null);
  const current = useRef<LiveBoard | null>(null);
  const me = useRef(meId);
  const joining = useRef<Promise<number> | null>(null);
  // Pushes that arrive before the first snapshot (the connection is in the session's group before it reads).
  const early = useRef<LiveEvent[]>([]);
  const retry = useRef<() => void>(() => undefined);
  useEffect(() => {
    me.current = meId;
  });

  const update = useCallback((next: LiveBoard) => {
    current.current = next;
    setBoard(next);
  }, []);

  const adopt = useCallback((snapshot: LiveSnapshot) => {
    setSession(snapshot.session);
    setRole(snapshot.role);
    setViewers(snapshot.viewers);
  }, []);

  /** Joins (again): the first time the snapshot is the board; later only what came after the last event held is applied. */
  const join = useCallback(async (): Promise<number> => {
    const socket = hub.current;
    if (!socket) return 0;
    let added = 0;
    for (let round = 0; round < maxCatchUps; round++) {
      const held = current.current;
      const key = viewerKey();
      const snapshot = key
        ? await socket.invoke<LiveSnapshot>('JoinSessionAs', id, held?.upTo ?? 0, key)
        : await socket.invoke<LiveSnapshot>('JoinSession', id, held?.upTo ?? 0);
      adopt(snapshot);
      if (!held) {
        const first = receiveEvents(boardFromSnapshot(snapshot, me.current), early.current, me.current);
        early.current = [];
        update(first.board);
        if (!first.gap) return 0;
        continue;
      }
      const merged = receiveEvents({ ...held, muted: snapshot.muted, pinned: snapshot.pinned ?? held.pinned }, snapshot.events, me.current);
      update(merged.board);
      added += merged.added;
      if (!merged.gap && snapshot.events.length < 500) break;
    }
    return added;
  }, [id, adopt, update]);

  /** One join at a time: a gap found while joining is filled by the join under way. */
  const catchUp = useCallback((): Promise<number> => {
    joining.current ??= join().finally(() => {
      joining.current = null;
    });
    return joining.current;
  }, [join]);

  const receive = useCallback(
    (events: readonly LiveEvent[]) => {
      const held = current.current;
      if (!held) {
        early.current.push(...events);
        return;
      }
      const merged = receiveEvents(held, events.filter((e) => e.sessionId.toLowerCase() === id.toLowerCase()), me.current);
      update(merged.board);
      if (events.some((e) => e.type === 'started' || e.type === 'ended' || e.type === 'cancelled')) {
        setSession((s) => (s ? { ...s, status: merged.board.status } : s));
      }
      if (merged.gap) void catchUp().catch(() => undefined);
    },
    [id, update, catchUp],
  );

  useEffect(() => {
    const socket = createHubConnection('/hubs/live');
    hub.current = socket;
    let live = true;
    socket.on('LiveEvent', (e: LiveEvent) => {
      receive([e]);
    });
    socket.on('Viewers', (v: LiveViewers) => {
      if (v.sessionId.toLowerCase() === id.toLowerCase()) setViewers(v.count);
    });
    const failed = (e: unknown) => {
      if (!live) return;
      setConnection('offline');
      setFailure(liveFailure(e));
    };
    const rejoin = (connected: Promise<unknown>) => {
      connected
        .then(catchUp)
        .then((added) => {
          if (!live) return;
          setConnection('live');
          setFailure(null);
          setCaughtUp(added);
        })
        .catch(failed);
    };
    socket.onreconnecting(() => live && setConnection('reconnecting'));
    socket.onreconnected(() => rejoin(Promise.resolve()));
    socket.onclose(() => live && setConnection('offline'));
    retry.current = () => {
      if (!live) return;
      setConnection('connecting');
      rejoin(socket.state === HubConnectionState.Disconnected ? socket.start() : Promise.resolve());
    };
    socket
      .start()
      .then(catchUp)
      .then(() => live && setConnection('live'))
      .catch(failed);
    const online = () => {
      if (socket.state === HubConnectionState.Disconnected) retry.current();
    };
    window.addEventListener('online', online);
    return () => {
      live = false;
      window.removeEventListener('online', online);
      hub.current = null;
      void socket.stop();
    };
  }, [id, receive, catchUp]);

  useEffect(() => {
    if (caughtUp === null) return;
    const timer = window.setTimeout(() => setCaughtUp(null), 8000);
    return () => window.clearTimeout(timer);
  }, [caughtUp]);

  /** Calls a hub method; a stored event it answers with goes onto the board at once. Null on success, else the failure. */
  const invoke = useCallback(
    async <T = unknown>(method: string, ...args: unknown[]): Promise<{ result: T | null; failure: LiveFailure | null }> => {
      const socket = hub.current;
      if (!socket || socket.state !== HubConnectionState.Connected) return { result: null, failure: { code: 'offline', detail: '' } };
      try {
        const result = await socket.invoke<T>(method, ...args);
        if (result && typeof result === 'object' && 'sequence' in result && 'type' in result) receive([result as unknown as LiveEvent]);
        return { result, failure: null };
      } catch (e) {
        return { result: null, failure: liveFailure(e) };
      }
    },
    [receive],
  );

  return {
    board,
    session,
    setSession,
    role,
    viewers,
    connection,
    failure,
    caughtUp,
    invoke,
    /** Feeds events answered by REST calls (start, end) onto the board. */
    receive,
    retry: () => retry.current(),
  };
}
