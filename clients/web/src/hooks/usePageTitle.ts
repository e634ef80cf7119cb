import { useEffect } from 'react';

/** Sets the browser tab title to "<title> — Scoda.Market". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} — Scoda.Market` : 'Scoda.Market';
  }, [title]);
}
