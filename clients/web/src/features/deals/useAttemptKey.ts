import { useRef } from 'react';

const stored = (name: string) => `scoda.attempt.${name}`;

/**
 * The Idempotency-Key of the current attempt at a money request (a deposit, a balance, an L/C), kept in the tab's
 * session storage: a retry, also after a reload, sends the same key until an answer settles the attempt.
 */
export function useAttemptKey(name: string) {
  const memory = useRef<string | null>(null);
  const read = () => {
    try {
      return sessionStorage.getItem(stored(name));
    } catch {
      return null;
    }
  };
  const write = (key: string | null) => {
    memory.current = key;
    try {
      if (key) sessionStorage.setItem(stored(name), key);
      else sessionStorage.removeItem(stored(name));
    } catch {
      // storage unavailable: the key lives as long as the page
    }
  };
  return {
    /** The attempt's key: the unsettled one, else a new one. */
    current: (): string => {
      const key = memory.current ?? read() ?? crypto.randomUUID();
      write(key);
      return key;
    },
    /** After an answer: keep the key for a retry (`key`), or drop it (null) so the next attempt gets a new one. */
    settle: write,
  };
}
