import type { Request, Response } from 'express';
import { parse } from 'cookie';
import { hmacHex, safeEqual } from '../../shared/crypto.js';
import { forbidden } from '../../shared/errors.js';

/**
 * The browser's refresh token (issue 18): a web client that asks for it (`refresh_cookie: true`
 * on login) gets the refresh token only as an httpOnly, Secure, SameSite=Strict cookie scoped to
 * the refresh path, never in the JSON body, so no script of the page can read it. CSRF: the
 * refresh also needs the header `X-CSRF-Token` equal to a value derived from the session id with
 * the server's HMAC key; the page reads it from a second, script-readable `__Host-` cookie
 * (same-origin only, not settable by a sibling subdomain). A cross-site form cannot set the header
 * and, under SameSite=Strict, would not even send the cookie. API clients keep sending
 * `{ refresh_token }` in the body as before.
 */
export const REFRESH_COOKIE = '__Secure-pl_refresh';
export const REFRESH_COOKIE_PATH = '/auth/refresh';
export const CSRF_COOKIE = '__Host-pl_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const csrfTokenFor = (hmacKey: Buffer, sessionId: string): string =>
  Buffer.from(hmacHex(hmacKey, `refresh-csrf|${sessionId}`), 'hex').toString('base64url');

export function setRefreshCookies(res: Response, hmacKey: Buffer, refreshToken: string, sessionId: string, maxAgeSeconds: number): void {
  const common = { secure: true, sameSite: 'strict' as const, maxAge: maxAgeSeconds * 1000 };
  res.cookie(REFRESH_COOKIE, refreshToken, { ...common, httpOnly: true, path: REFRESH_COOKIE_PATH });
  res.cookie(CSRF_COOKIE, csrfTokenFor(hmacKey, sessionId), { ...common, httpOnly: false, path: '/' });
}

export function clearRefreshCookies(res: Response): void {
  res.clearCookie(REFRESH_COOKIE, { secure: true, sameSite: 'strict', httpOnly: true, path: REFRESH_COOKIE_PATH });
  res.clearCookie(CSRF_COOKIE, { secure: true, sameSite: 'strict', path: '/' });
}

/** The refresh token of the cookie, after the CSRF header proved a same-origin script sent it; null without the cookie. */
export function refreshTokenFromCookie(req: Request, hmacKey: Buffer): string | null {
  const token = parse(req.headers.cookie ?? '')[REFRESH_COOKIE];
  if (!token) return null;
  const sid = token.split('.')[0] ?? '';
  const header = req.header(CSRF_HEADER) ?? '';
  if (!header || !safeEqual(header, csrfTokenFor(hmacKey, sid))) {
    throw forbidden('csrf_token_invalid', `A refresh from the cookie needs the ${CSRF_HEADER} header of this session.`);
  }
  return token;
}

/** The fields of a token pair a client gets. */
export interface TokenPairFields {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  session_id: string;
}

/**
 * The answer of a login or refresh: the JSON pair, or with `cookie` (the web app) the refresh
 * token only as the httpOnly cookie and not in the body.
 */
export function pairAnswer(p: TokenPairFields, res: Response, cookie: boolean, hmacKey: Buffer, maxAgeSeconds: number) {
  const { access_token, refresh_token, token_type, expires_in, session_id } = p;
  if (!cookie) return { access_token, refresh_token, token_type, expires_in, session_id };
  setRefreshCookies(res, hmacKey, refresh_token, session_id, maxAgeSeconds);
  return { access_token, token_type, expires_in, session_id };
}

/**
 * "Trust this browser" (F02.07.07 in the web app): the device token as an httpOnly cookie on /auth
 * (sent to /auth/login and /auth/mfa/trusted-devices/check), never readable by the page.
 */
export const DEVICE_COOKIE = '__Secure-pl_device';
const DEVICE_COOKIE_PATH = '/auth';

export function setDeviceCookie(res: Response, token: string, expiresAt: string, now: Date): void {
  const maxAge = Math.max(0, Date.parse(expiresAt) - now.getTime());
  res.cookie(DEVICE_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: DEVICE_COOKIE_PATH, maxAge });
}

/** The device token of the X-Device-Token header (API clients) or else of the cookie (the web app). */
export function deviceTokenOf(req: Request, header: string | undefined): string | undefined {
  return header || parse(req.headers.cookie ?? '')[DEVICE_COOKIE] || undefined;
}
