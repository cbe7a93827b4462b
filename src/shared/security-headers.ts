// eslint-disable-next-line @typescript-eslint/no-explicit-any -- helmet's (IncomingMessage, ServerResponse); it gets recording stand-ins
type Middleware = (req: any, res: any, next: (err?: unknown) => void) => void;

/** What a header middleware does to every response: headers set, in order, and headers removed. */
export interface StaticHeaders {
  set: ReadonlyArray<readonly [string, string]>;
  removed: readonly string[];
}

function record(middleware: Middleware, req: object): StaticHeaders {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  let done = false;
  const res = {
    locals: {},
    setHeader: (name: string, value: unknown) => {
      if (typeof value !== 'string') throw new Error(`${name}: only string header values can be fixed once`);
      set.push([name, value]);
    },
    removeHeader: (name: string) => removed.push(name),
  };
  middleware(req, res, (err) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('the header middleware did not finish synchronously');
  return { set, removed };
}

/**
 * The headers a middleware like helmet's sets, computed once: it runs against two different
 * recording requests, and start-up fails unless both got the same set (a per-request value, such
 * as a CSP nonce, cannot be fixed once). One loop of setHeader per response then replaces helmet's
 * chain of thirteen middlewares and its per-response work.
 */
export function fixedHeaders(middleware: Middleware): StaticHeaders {
  const a = record(middleware, { method: 'GET', url: '/', headers: {} });
  const b = record(middleware, { method: 'POST', url: '/other?x=1', headers: { 'user-agent': 'x' } });
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the header middleware sets per-request values: it cannot be fixed once');
  return a;
}

export function applyHeaders(
  res: { setHeader(name: string, value: string): unknown; removeHeader(name: string): void },
  h: StaticHeaders,
): void {
  for (const [name, value] of h.set) res.setHeader(name, value);
  for (const name of h.removed) res.removeHeader(name);
}
