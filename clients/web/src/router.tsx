// A minimal history-API router: the current location as React state, navigate(), and <Link>.
// The ASP.NET host must answer unknown non-API paths with index.html (MapFallbackToFile).
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

const changeEvent = 'scoda:navigate';

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(changeEvent, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(changeEvent, callback);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(changeEvent));
}

export type Location = { path: string; query: URLSearchParams };

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const url = new URL(href, window.location.origin);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  return { path, query: url.searchParams };
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  to: string;
  children: ReactNode;
  /** Mark as current page when the path starts with `to` (for section links). */
  matchPrefix?: boolean;
};

export function Link({ to, children, onClick, matchPrefix, ...rest }: LinkProps) {
  const { path } = useLocation();
  const target = to.split('?')[0] ?? to;
  const active = matchPrefix && target !== '/' ? path === target || path.startsWith(target + '/') : path === target;

  function handleClick(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to);
  }

  return (
    <a href={to} onClick={handleClick} aria-current={active ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}
