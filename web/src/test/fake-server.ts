import { setFetch } from '../lib/api-client';

/**
 * For component tests: answers the API client's calls from a table of routes ("GET /me" → status
 * and body), records every call, and answers 404 for anything else. The app's code under test is
 * unchanged; only the network is replaced.
 */
export type Route = (call: { method: string; path: string; query: string; body: unknown; headers: Record<string, string> }) => [number, unknown];

export interface FakeServer {
  calls: Array<{ method: string; path: string; query: string; body: unknown; headers: Record<string, string> }>;
  routes: Record<string, Route>;
  count(key: string): number;
}

function response(status: number, body: unknown): Response {
  const text = body === undefined ? '' : JSON.stringify(body);
  const make = (): Response =>
    ({
      ok: status >= 200 && status < 300,
      status,
      headers: { get: (h: string) => (h.toLowerCase() === 'content-length' ? String(text.length) : null) },
      json: async () => JSON.parse(text),
      text: async () => text,
      clone: () => make(),
    }) as unknown as Response;
  return make();
}

export function fakeServer(routes: Record<string, Route>): FakeServer {
  const server: FakeServer = {
    calls: [],
    routes,
    count: (key) => server.calls.filter((c) => `${c.method} ${c.path}` === key).length,
  };
  setFetch(async (input, init) => {
    const method = init.method ?? 'GET';
    const [path = '', query = ''] = input.split('?');
    const call = { method, path, query, body: init.body ? JSON.parse(String(init.body)) : undefined, headers: (init.headers ?? {}) as Record<string, string> };
    server.calls.push(call);
    const route = server.routes[`${method} ${path}`];
    if (!route) return response(404, { status: 404, error_code: 'not_found', detail: `${method} ${path}` });
    const [status, body] = route(call);
    return response(status, body);
  });
  return server;
}

export const problem = (status: number, error_code: string, extra: Record<string, unknown> = {}) => ({ status, error_code, detail: error_code, ...extra });
