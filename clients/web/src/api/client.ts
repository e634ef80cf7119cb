// The single HTTP client of the web app. Same origin, cookie authentication,
// JSON in and out, RFC 9457 problem details turned into ApiError.

export type ProblemDetails = {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: Record<string, string[]>;
  /** Stable code beside the English title (not_found, forbidden, conflict, invalid, …), rendered in the user's language. */
  code?: string;
  params?: Record<string, string>;
  /** Every message of `errors` as a stable code with parameters (required, too_long, out_of_range, …), for the client to word. */
  fieldErrors?: CodedFieldError[];
};

/** One per-field error of a 400: `field` as in `errors`, `code` and `params` to word it, `message` the server's English. */
export type CodedFieldError = { field: string; code: string; params: Record<string, string>; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  /** Error messages by key (an Identity error code or a camelCase field name). */
  readonly errors: Record<string, string[]>;
  readonly code: string | undefined;
  readonly params: Record<string, string>;
  /** The coded twins of `errors`' messages, field names normalized the same way. */
  readonly fieldErrors: CodedFieldError[];

  constructor(status: number, problem: ProblemDetails) {
    const title = problem.title ?? `HTTP ${status}`;
    super(problem.detail ? `${title}: ${problem.detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = problem.detail;
    this.errors = normalizeErrors(problem.errors);
    this.code = typeof problem.code === 'string' ? problem.code : undefined;
    this.params = problem.params && typeof problem.params === 'object' ? problem.params : {};
    this.fieldErrors = normalizeFieldErrors(problem.fieldErrors);
  }

  /** True when the request never got an HTTP answer (offline, server down). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

/** "$.countryCode", "CountryCode" and "countryCode" all mean the same field. */
function fieldKey(rawKey: string): string {
  let key = rawKey.startsWith('$.') ? rawKey.slice(2) : rawKey;
  if (/^[A-Z][a-z]/.test(key) && !isIdentityCode(key)) key = key[0]!.toLowerCase() + key.slice(1);
  return key;
}

function normalizeErrors(errors: ProblemDetails['errors']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!errors || typeof errors !== 'object') return out;
  for (const [rawKey, value] of Object.entries(errors)) {
    const key = fieldKey(rawKey);
    const messages = Array.isArray(value) ? value.map(String) : [String(value)];
    out[key] = [...(out[key] ?? []), ...messages];
  }
  return out;
}

function normalizeFieldErrors(coded: unknown): CodedFieldError[] {
  if (!Array.isArray(coded)) return [];
  return coded
    .filter((e): e is CodedFieldError => !!e && typeof e === 'object' && typeof e.field === 'string' && typeof e.code === 'string')
    .map((e) => ({ field: fieldKey(e.field), code: e.code, params: e.params && typeof e.params === 'object' ? e.params : {}, message: String(e.message ?? '') }));
}

// ASP.NET Core Identity error codes are PascalCase and must stay as they are.
const identityCodePattern =
  /^(Password|Duplicate|Invalid|UserAlready|UserLockout|LoginAlready|ConcurrencyFailure|DefaultError|RecoveryCode)/;
function isIdentityCode(key: string): boolean {
  return identityCodePattern.test(key);
}

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** A plain object is sent as JSON; FormData is sent as multipart/form-data. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** Extra request headers (an Idempotency-Key). */
  headers?: Record<string, string>;
};

/**
 * JSON.parse reviver: where the engine passes the number's source text (JSON.parse source text access) and the
 * binary double would not print back as the server wrote it ("245.50", 18 significant digits), the text is kept
 * instead, so money and quantities are shown exactly as sent. Elsewhere numbers stay numbers.
 */
function keepDecimalText(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && typeof context?.source === 'string' && String(value) !== context.source) {
    return context.source;
  }
  return value;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, query, signal } = options;
  let url = path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }

  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body; // the browser sets the multipart boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }

  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: payload, credentials: 'same-origin', signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: e instanceof Error ? e.message : String(e) });
  }

  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text, keepDecimalText);
    } catch {
      data = undefined;
    }
  }

  if (!response.ok) {
    const problem: ProblemDetails =
      data && typeof data === 'object' ? (data as ProblemDetails) : { title: response.statusText || undefined };
    throw new ApiError(response.status, { ...problem, status: problem.status ?? response.status });
  }
  return data as T;
}
