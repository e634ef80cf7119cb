import { describe, expect, it } from 'vitest';
import { matchRoute } from './matchRoute';
import { routes } from './routes';

const match = (path: string) => {
  const found = matchRoute(routes, path);
  return found && { path: found.route.path, params: found.params, auth: found.route.auth };
};

describe('the route table', () => {
  it.each([
    ['/', '/', false],
    ['/signin', '/signin', false],
    ['/signup', '/signup', false],
    ['/search', '/search', false],
    ['/organization', '/organization', true],
    ['/organization/new', '/organization/new', true],
    ['/admin', '/admin', true],
    ['/listings', '/listings', true],
    ['/listings/new', '/listings/new', true],
    ['/listings/import', '/listings/import', true],
    ['/listings/import/reference', '/listings/import/reference', false],
    ['/warehouses', '/warehouses', true],
    ['/buy-requests', '/buy-requests', true],
    ['/buy-requests/new', '/buy-requests/new', true],
    ['/negotiations', '/negotiations', true],
    ['/deals', '/deals', true],
    ['/live', '/live', false],
    ['/live/new', '/live/new', true],
  ])('serves %s', (path, pattern, auth) => {
    expect(match(path)).toEqual({ path: pattern, params: {}, auth });
  });

  it.each([
    ['/listings/abc/edit', '/listings/:id/edit', true],
    ['/listings/abc', '/listings/:id', false],
    ['/buy-requests/abc', '/buy-requests/:id', true],
    ['/negotiations/abc', '/negotiations/:id', true],
    ['/deals/abc', '/deals/:id', true],
    ['/warehouses/abc', '/warehouses/:id', true],
    ['/organization/abc', '/organization/:id', true],
    ['/live/abc', '/live/:id', false],
    ['/live/abc/edit', '/live/:id/edit', true],
    ['/live/abc/report', '/live/:id/report', true],
  ])('serves %s with its id', (path, pattern, auth) => {
    expect(match(path)).toEqual({ path: pattern, params: { id: 'abc' }, auth });
  });

  it('prefers a fixed page over an id of the same shape', () => {
    expect(match('/listings/new')?.path).toBe('/listings/new');
    expect(match('/organization/new')?.path).toBe('/organization/new');
  });

  it('decodes ids and ignores a trailing slash', () => {
    expect(match('/listings/a%20b')?.params).toEqual({ id: 'a b' });
    expect(match('/deals/x/')?.path).toBe('/deals/:id');
  });

  it('matches nothing for unknown addresses and undecodable ids', () => {
    expect(match('/nowhere')).toBeNull();
    expect(match('/listings/a/b/c')).toBeNull();
    expect(match('/listings/%E0%A4%A')).toBeNull();
  });
});
