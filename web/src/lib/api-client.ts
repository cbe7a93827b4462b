import { errorChannel, type Problem } from './error-channel';
import { tokens } from './tokens';

/** A problem answer of the API, thrown by every call. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.error_code);
    this.name = 'ApiError';
  }
  get code(): string {
    return this.problem.error_code;
  }
  get status(): number {
    return this.problem.status;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  /** false: send no access token (login, reset). */
  auth?: boolean;
}

/**
 * Asked when the API demands a second factor (`mfa_step_up_required`, or `mfa_required` for a
 * session that has not verified one yet). Resolves true once a verification put a fresh access
 * token in `tokens`; the call is then sent again. Registered by the StepUpProvider.
 */
export type StepUpHandler = (problem: Problem) => Promise<boolean>;
let stepUpHandler: StepUpHandler | null = null;
export function setStepUpHandler(handler: StepUpHandler | null): void {
  stepUpHandler = handler;
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;
let fetchImpl: Fetch = (input, init) => fetch(input, init);
/** Component tests answer calls from a fake server (the app code under test stays unchanged). */
export function setFetch(f: Fetch): void {
  fetchImpl = f;
}

const CSRF_COOKIE = '__Host-pl_csrf';
const csrfToken = (): string | null =>
  document.cookie
    .split('; ')
    .find((c) => c.startsWith(`${CSRF_COOKIE}=`))
    ?.slice(CSRF_COOKIE.length + 1) ?? null;

/** 401 codes after which the access token in memory is worth nothing (mfa_required is not one). */
const SESSION_OVER = new Set(['token_expired', 'session_revoked', 'invalid_token', 'unauthenticated']);

let refreshing: Promise<boolean> | null = null;
/**
 * New access token from the httpOnly refresh cookie (src/identity/login/refresh-cookie.ts). Single
 * flight: concurrent expiries share one refresh (the cookie rotates on every use).
 */
export function refreshFromCookie(): Promise<boolean> {
  refreshing ??= (async () => {
    const csrf = csrfToken();
    if (!csrf) return false;
    const res = await fetchImpl('/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: '{}',
    });
    if (!res.ok) return false;
    tokens.set(((await res.json()) as { access_token: string }).access_token);
    return true;
  })()
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = tokens.get();
  if (o.auth !== false && token) headers.Authorization = `Bearer ${token}`;
  return fetchImpl(path, {
    method: o.method ?? 'GET',
    headers,
    credentials: 'same-origin',
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
}

async function problemOf(res: Response): Promise<Problem> {
  const body = (await res.json().catch(() => ({}))) as Partial<Problem>;
  return { ...body, status: res.status, error_code: body.error_code ?? `http_${res.status}` };
}

/**
 * The one HTTP client of the app. Expired access token: one refresh from the cookie, then the call
 * again. Step-up demanded: the StepUpHandler's prompt, then the call again (once). Every other
 * problem goes to the error channel and is thrown as an ApiError.
 */
export async function apiRequest<T>(path: string, o: RequestOptions = {}): Promise<T> {
  let res = await send(path, o);
  if (res.status === 401 && o.auth !== false) {
    const p = await problemOf(res.clone());
    if (p.error_code === 'token_expired' && (await refreshFromCookie())) res = await send(path, o);
    // the session is over (revoked elsewhere, expired, refresh refused): back to the login screen
    const after = res.status === 401 ? (await problemOf(res.clone())).error_code : null;
    if (after && SESSION_OVER.has(after)) tokens.set(null);
  }
  if (!res.ok) {
    const p = await problemOf(res.clone());
    const needsFactor = p.error_code === 'mfa_step_up_required' || p.error_code === 'mfa_required';
    // only a signed-in call is stepped up (the public reset flow answers mfa_required itself)
    if (needsFactor && o.auth !== false && stepUpHandler && (await stepUpHandler(p))) {
      res = await send(path, o);
    }
  }
  if (!res.ok) {
    const p = await problemOf(res);
    errorChannel.publish(p);
    throw new ApiError(p);
  }
  if (res.status === 204 || res.status === 202 && res.headers.get('content-length') === '0') return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, o?: Omit<RequestOptions, 'method' | 'body'>) => apiRequest<T>(path, { ...o, method: 'GET' }),
  post: <T>(path: string, body?: unknown, o?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...o, method: 'POST', body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'PUT', body }),
  delete: <T = void>(path: string) => apiRequest<T>(path, { method: 'DELETE' }),
};
