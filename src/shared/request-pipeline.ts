import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { logRequest } from './logger.js';
import { toProblem } from './problem.filter.js';
import { requestContext } from './request-context.js';
import { applyHeaders, type StaticHeaders } from './security-headers.js';
import { rejectMalformedInput } from './well-formed-input.js';

export interface RequestPipelineParts {
  /** Set on every response, first (helmet's, fixed once). */
  headers: StaticHeaders;
  /** Body parsers, tried in order on a request that has a body (each skips a type it does not take). */
  parsers: RequestHandler[];
  /** The web app (assets and screens), called only for the paths `isWebApp` says it may answer. */
  webApp: RequestHandler;
  isWebApp(method: string, path: string): boolean;
  /** Routing, last: a static route directly, any other request through express's walk (its `next`). */
  route(req: Request, res: Response, next: NextFunction): void;
}

const CORRELATION_ID = /^[\w.-]{1,100}$/;

/** type-is's hasBody: a request has a body when it says how it is framed. */
const hasBody = (req: Request): boolean =>
  req.headers['transfer-encoding'] !== undefined || !isNaN(req.headers['content-length'] as unknown as number);

/** A failure before routing answers the way the ProblemFilter does (body-parser errors never reach Nest's filters). */
function fail(res: Response, err: unknown): void {
  const { problem } = toProblem(err);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/**
 * Everything that runs before routing, as ONE express layer instead of eighteen (helmet's chain of
 * thirteen, the request context, two body parsers, the web app's static files and screens, the
 * malformed-input check, the error answer), in the same order and with the same answers:
 * security headers; the request's correlation id, log line and context (everything after runs in
 * it); the body, parsed only when there is one; the web app, only for its paths; malformed input
 * refused with 400. A failure of any step answers problem+json and routing never runs.
 */
export function requestPipeline(parts: RequestPipelineParts): RequestHandler {
  const { headers, parsers, webApp, isWebApp, route } = parts;
  return function requestPipeline(req: Request, res: Response, next: NextFunction): void {
    applyHeaders(res, headers);
    const header = req.headers['x-correlation-id'];
    const correlation_id = typeof header === 'string' && CORRELATION_ID.test(header) ? header : randomUUID();
    // one line per request; bearer secrets in a path (webhook secrets) or a query (?access_token=) never reach it
    logRequest(req, res, correlation_id);
    const checked = (err?: unknown) => {
      if (err) return fail(res, err);
      rejectMalformedInput(req, res, (bad) => (bad ? fail(res, bad) : route(req, res, next)));
    };
    const parsed = (err?: unknown) => {
      if (err) return fail(res, err);
      if (isWebApp(req.method, req.path)) webApp(req, res, checked);
      else checked();
    };
    const parse = (i: number) => (err?: unknown) => {
      if (err || i === parsers.length) return parsed(err);
      parsers[i]!(req, res, parse(i + 1));
    };
    requestContext.run({ correlation_id, ip: req.ip ?? null, user_agent: req.headers['user-agent'] ?? null }, () => {
      try {
        if (hasBody(req)) return parse(0)();
        // what the parsers leave on a request without a body
        if (!('body' in (req as object))) req.body = undefined;
        parsed();
      } catch (err) {
        fail(res, err); // as express's layer would have passed it on to the error answer
      }
    });
  };
}
