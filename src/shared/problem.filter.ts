import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ConcurrencyError } from '../eventstore/event-store.port.js';
import { InvalidCursorError } from '../readstore/read-store.port.js';
import { DomainError } from './errors.js';
import { logger } from './logger.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const DEFAULT_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  error_code: string;
  [k: string]: unknown;
}

/** Maps anything thrown to RFC 9457 problem+json; never a stack trace, never a 500 for bad input. */
export function toProblem(err: unknown): { problem: Problem; headers: Record<string, string> } {
  const make = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}): Problem => ({
    type: `https://petanque.life/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    error_code: code,
    ...extra,
  });
  if (err instanceof DomainError) return { problem: make(err.status, err.code, err.message, err.extra), headers: err.headers };
  if (err instanceof ConcurrencyError)
    return {
      problem: make(409, 'concurrency_conflict', 'The resource was changed by another request; retry with fresh data.'),
      headers: {},
    };
  if (err instanceof InvalidCursorError) return { problem: make(400, 'invalid_cursor', err.message), headers: {} };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse() as string | { message?: unknown; error_code?: string; errors?: unknown };
    if (typeof body === 'object' && body && Array.isArray(body.message)) {
      const messages = body.message as string[];
      return {
        problem: make(status, 'validation_failed', messages.join('; '), { errors: messages }),
        headers: {},
      };
    }
    const detail = typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : err.message;
    const code = (typeof body === 'object' && body?.error_code) || DEFAULT_CODES[status] || (status >= 500 ? 'internal_error' : 'error');
    return { problem: make(status, code, detail), headers: {} };
  }
  // body-parser errors (malformed JSON, too large, wrong charset) carry a status of their own.
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (e.type === 'entity.parse.failed')
      return { problem: make(400, 'malformed_json', 'The request body is not valid JSON.'), headers: {} };
    if (e.type === 'entity.too.large') return { problem: make(413, 'payload_too_large', 'The request body is too large.'), headers: {} };
    return { problem: make(status, DEFAULT_CODES[status] ?? 'bad_request', 'The request could not be read.'), headers: {} };
  }
  return { problem: make(500, 'internal_error', 'An unexpected error occurred.'), headers: {} };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const { problem, headers } = toProblem(err);
    if (problem.status >= 500) logger.error({ err }, 'unhandled error');
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
