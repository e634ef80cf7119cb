import { describe, expect, it } from 'vitest';
import { canLoadMore, initialPagedState, pagedReducer, type PagedAction, type PagedState } from './pagedList';

const run = (actions: PagedAction<number>[], from: PagedState<number> = initialPagedState<number>()) =>
  actions.reduce(pagedReducer<number>, from);

describe('a list read page by page', () => {
  it('shows the first page and keeps its cursor', () => {
    const state = run([
      { type: 'reset', generation: 1 },
      { type: 'page', generation: 1, page: { items: [1, 2], nextCursor: 'c2' }, append: false },
    ]);
    expect(state.items).toEqual([1, 2]);
    expect(state.cursor).toBe('c2');
    expect(state.loading).toBe(false);
    expect(canLoadMore(state)).toBe(true);
  });

  it('appends the next page and stops when the server gives no cursor', () => {
    const state = run([
      { type: 'reset', generation: 1 },
      { type: 'page', generation: 1, page: { items: [1, 2], nextCursor: 'c2' }, append: false },
      { type: 'loading' },
      { type: 'page', generation: 1, page: { items: [3] }, append: true },
    ]);
    expect(state.items).toEqual([1, 2, 3]);
    expect(state.cursor).toBeNull();
    expect(canLoadMore(state)).toBe(false);
  });

  it('does not ask for more while a page is loading', () => {
    const state = run([
      { type: 'reset', generation: 1 },
      { type: 'page', generation: 1, page: { items: [1], nextCursor: 'c2' }, append: false },
      { type: 'loading' },
    ]);
    expect(canLoadMore(state)).toBe(false);
  });

  it('drops a page of a list the user has since left for another filter', () => {
    const state = run([
      { type: 'reset', generation: 1 },
      { type: 'page', generation: 1, page: { items: [1], nextCursor: 'c2' }, append: false },
      { type: 'loading' },
      { type: 'reset', generation: 2 },
      { type: 'page', generation: 1, page: { items: [2] }, append: true },
      { type: 'page', generation: 2, page: { items: [10, 11], nextCursor: 'd2' }, append: false },
    ]);
    expect(state.items).toEqual([10, 11]);
    expect(state.cursor).toBe('d2');
  });

  it('keeps what was loaded when the next page fails, and clears the errors with the next success', () => {
    const failed = run([
      { type: 'reset', generation: 1 },
      { type: 'page', generation: 1, page: { items: [1], nextCursor: 'c2' }, append: false },
      { type: 'loading' },
      { type: 'failed', generation: 1, errors: ['offline'] },
    ]);
    expect(failed.items).toEqual([1]);
    expect(failed.errors).toEqual(['offline']);
    expect(canLoadMore(failed)).toBe(true);
    const retried = run([{ type: 'page', generation: 1, page: { items: [2] }, append: true }], failed);
    expect(retried.items).toEqual([1, 2]);
    expect(retried.errors).toEqual([]);
  });

  it('starts empty and loading on a reset', () => {
    const state = run([{ type: 'reset', generation: 3 }]);
    expect(state).toMatchObject({ items: null, cursor: null, loading: true, generation: 3 });
  });
});
