import { useEffect, useReducer, useRef } from 'react';
import { errorMessages } from '../errors';
import { useI18n } from '../i18n';
import { canLoadMore, initialPagedState, pagedReducer, type CursorPage, type PagedState } from './pagedList';

type Load<T> = (cursor: string | null, signal?: AbortSignal) => Promise<CursorPage<T>>;

/**
 * A list read page by page (cursor): the first page whenever `key` changes (a filter), "load more" for the next.
 * `load` may change on every render; the latest one is used.
 */
export function usePagedList<T>(load: Load<T>, key: string) {
  const { t } = useI18n();
  const [state, dispatch] = useReducer(pagedReducer<T>, undefined, initialPagedState<T>);
  const loader = useRef(load);
  const translate = useRef(t);
  const current = useRef<PagedState<T>>(state);
  const generations = useRef(0);
  useEffect(() => {
    loader.current = load;
    translate.current = t;
    current.current = state;
  });

  useEffect(() => {
    const controller = new AbortController();
    const generation = ++generations.current;
    dispatch({ type: 'reset', generation });
    loader
      .current(null, controller.signal)
      .then((page) => dispatch({ type: 'page', generation, page, append: false }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) dispatch({ type: 'failed', generation, errors: errorMessages(e, translate.current) });
      });
    // Changing the language must not reload the list, so only `key` starts it afresh.
    return () => controller.abort();
  }, [key]);

  async function more() {
    const now = current.current;
    if (!canLoadMore(now)) return;
    const { generation } = now;
    dispatch({ type: 'loading' });
    try {
      const page = await loader.current(now.cursor);
      dispatch({ type: 'page', generation, page, append: true });
    } catch (e) {
      dispatch({ type: 'failed', generation, errors: errorMessages(e, translate.current) });
    }
  }

  return { items: state.items, errors: state.errors, loading: state.loading, hasMore: state.cursor !== null, more };
}
