import { useEffect, useRef, useState } from 'react';
import type { DealEvent } from '../../api';
import { createHubConnection } from '../../hooks/realtime';
import { sameId } from '../negotiations/roomLog';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/**
 * The deal's events as the server pushes them (CONTRACT.md: hub /hubs/deals, JoinDeal(dealId, afterSequence) answers
 * what was missed, then DealEvent pushes). `after` is read at each (re)join, so a drop loses nothing.
 */
export function useDealLive(dealId: string, after: () => number, onEvents: (events: DealEvent[]) => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ after, onEvents });
  useEffect(() => {
    handlers.current = { after, onEvents };
  });

  useEffect(() => {
    const socket = createHubConnection('/hubs/deals');
    let live = true;
    socket.on('DealEvent', (e: DealEvent) => {
      if (!e.dealId || sameId(e.dealId, dealId)) handlers.current.onEvents([e]);
    });
    const join = async () => {
      const missed = await socket.invoke<DealEvent[]>('JoinDeal', dealId, handlers.current.after());
      if (live) {
        setState('live');
        handlers.current.onEvents(missed ?? []);
      }
    };
    socket.onreconnecting(() => live && setState('reconnecting'));
    socket.onreconnected(() => void join().catch(() => live && setState('offline')));
    socket.onclose(() => live && setState('offline'));
    socket
      .start()
      .then(join)
      .catch(() => live && setState('offline'));
    return () => {
      live = false;
      void socket.stop();
    };
  }, [dealId]);
  return state;
}
