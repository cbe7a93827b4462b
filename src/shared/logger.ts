import { pino } from 'pino';
import type { LoggerService } from '@nestjs/common';

/**
 * Structured logs. Secrets never reach them: credentials, tokens, codes, phone numbers and
 * e-mail addresses are redacted by path wherever they appear, and request bodies are not logged.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-device-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.code',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.phone',
  '*.email',
  '*.to',
];

/**
 * Query or path parameters whose name says they carry a secret or personal data (an
 * `?access_token=` a client put in a link, an OAuth `code`, a webhook secret): their values
 * are logged as [redacted]. Matched on the name, case-insensitively, so variants are caught.
 */
const SECRET_PARAM = /token|secret|passw|code|otp|key|signature|^sig$|jwt|assertion|credential|ticket|email|phone/i;
const CENSOR = '[redacted]';

const decodeName = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw; // a malformed escape is still tested as written
  }
};

/** The URL as it may be logged: webhook secrets in the path and token-like query values redacted. */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const hashAt = url.indexOf('#');
  const noHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const q = noHash.indexOf('?');
  const path = (q < 0 ? noHash : noHash.slice(0, q)).replace(/(\/webhooks\/[^/]+\/[^/]+\/)[^/?#]+/, `$1${CENSOR}`);
  if (q < 0) return path;
  const query = noHash
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(decodeName(name)) ? `${name}=${CENSOR}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/** A parsed query or params object with the values of secret-looking names redacted. */
export function redactParams(params: unknown): unknown {
  if (!params || typeof params !== 'object') return params;
  return Object.fromEntries(Object.entries(params as Record<string, unknown>).map(([k, v]) => [k, SECRET_PARAM.test(k) ? CENSOR : v]));
}

/** pino-http's request serializer: url, query and params pass through the redaction above. */
export const serializeRequest = <R extends { url?: string; query?: unknown; params?: unknown }>(req: R): R => ({
  ...req,
  url: redactUrl(req.url),
  ...('query' in req ? { query: redactParams(req.query) } : {}),
  ...('params' in req ? { params: redactParams(req.params) } : {}),
});

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  base: { service: 'petanque-life-security' },
});

/** Nest's own messages go through the same pino instance. */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, context?: string) {
    logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    logger.error({ context, trace: process.env.NODE_ENV === 'production' ? undefined : trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    logger.trace({ context }, String(message));
  }
}
