// The state of a list read page by page with an opaque cursor, as a pure reducer (the hook is usePagedList).

export type CursorPage<T> = { items: readonly T[]; nextCursor?: string | null };

export type PagedState<T> = {
  /** null until the first page arrives. */
  items: readonly T[] | null;
  /** The cursor of the next page; null when the server said there is no more. */
  cursor: string | null;
  errors: readonly string[];
  loading: boolean;
  /** Set by every reset: pages asked for under an earlier one are dropped when they arrive. */
  generation: number;
};

export type PagedAction<T> =
  | { type: 'reset'; generation: number }
  | { type: 'loading' }
  | { type: 'page'; generation: number; page: CursorPage<T>; append: boolean }
  | { type: 'failed'; generation: number; errors: readonly string[] };

export function initialPagedState<T>(): PagedState<T> {
  return { items: null, cursor: null, errors: [], loading: false, generation: 0 };
}

export function pagedReducer<T>(state: PagedState<T>, action: PagedAction<T>): PagedState<T> {
  switch (action.type) {
    case 'reset':
      return { items: null, cursor: null, errors: [], loading: true, generation: action.generation };
    case 'loading':
      return { ...state, loading: true };
    case 'page':
      // A page of a list the user has since left (another filter) must not be merged into the new one.
      if (action.generation !== state.generation) return state;
      return {
        ...state,
        items: action.append ? [...(state.items ?? []), ...action.page.items] : action.page.items,
        cursor: action.page.nextCursor ?? null,
        errors: [],
        loading: false,
      };
    case 'failed':
      if (action.generation !== state.generation) return state;
      return { ...state, errors: action.errors, loading: false };
  }
}

/** Whether "load more" may ask for another page now. */
export function canLoadMore<T>(state: PagedState<T>): boolean {
  return state.cursor !== null && !state.loading;
}
