// Matching an address against a route table: patterns are literal segments and `:name` parameters.

export type RouteParams = Readonly<Record<string, string>>;

export type RouteMatch<R> = { route: R; params: RouteParams };

/**
 * The first route whose pattern fits the path ("/listings/:id/edit" fits "/listings/42/edit" with id "42").
 * Parameters are URL-decoded; a segment that does not decode matches nothing. A trailing slash is ignored.
 */
export function matchRoute<R extends { path: string }>(routes: readonly R[], path: string): RouteMatch<R> | null {
  const segments = split(path);
  for (const route of routes) {
    const params = matchPattern(split(route.path), segments);
    if (params) return { route, params };
  }
  return null;
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) {
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return null;
      }
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}
