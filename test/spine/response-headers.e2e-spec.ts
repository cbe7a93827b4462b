import { request as httpRequest } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ensureWebBuilt, ROOT } from '../support/web-app.js';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { Controller, Module, Param, Post } from '@nestjs/common';
import { Public } from '../../src/identity/auth/decorators.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { CommandGateway } from '../../src/shared/command-gateway.js';
import { CounterTestModule, countersProjection, IncrementCounter } from './counter.fixture.js';

/**
 * The exact answers of the request path, pinned: status, every response header in the order it
 * is sent (Date left out; for the built web app's files the values that change with each build
 * are `*`), and the body of every answer the pre-routing middleware writes itself. It guards the
 * cheap per-request path (one pre-routing middleware instead of helmet's thirteen and five more):
 * an API route, a guarded route, an HTML page, a static asset, the API docs, and the answers of
 * the body parsers, the malformed-input check and the router must stay byte for byte what they were.
 */
interface Answer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = httpRequest(
      { host: u.hostname, port: u.port, method, path: u.pathname + u.search, headers: { connection: 'close', ...headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) h.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
          resolve({ status: res.statusCode!, headers: h.filter(([k]) => k !== 'date'), body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const BUILT = new Set(['etag', 'last-modified', 'content-length']);
/** The built web app's file answers: their validators and length change with every build. */
const built = (a: Answer): Answer => ({ ...a, headers: a.headers.map(([k, v]) => [k, BUILT.has(k) ? '*' : v]), body: '' });

/** Holds the projections on a counter named stall-…, until released: its command's bounded wait runs out. */
let release: () => void = () => {};
const held = new Promise<void>((r) => (release = r));
const stallProjection = defineProjection({
  name: 'test_stall',
  collections: [],
  handles: ['CounterIncremented'],
  async apply(event) {
    if ((event.data as { counter_id: string }).counter_id.startsWith('stall-')) await held;
  },
});

@Public()
@Controller('test/pending')
class PendingController {
  constructor(private readonly gateway: CommandGateway) {}
  @Post(':id')
  async run(@Param('id') id: string) {
    await this.gateway.run(new IncrementCounter(id, 1), 100);
    return { id };
  }
}
@Module({ controllers: [PendingController] })
class PendingModule {}

const CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';" +
  "img-src 'self' data: https:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';" +
  'upgrade-insecure-requests';
/** helmet's set, in helmet's order, on every answer. */
const SECURITY: Array<[string, string]> = [
  ['content-security-policy', CSP],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];
const CLOSE: Array<[string, string]> = [['connection', 'close']];
const problem = (len: number, etag: string): Array<[string, string]> => [
  ...SECURITY,
  ['content-type', 'application/problem+json; charset=utf-8'],
  ['content-length', String(len)],
  ['etag', etag],
  ...CLOSE,
];

describe('the request path answers byte for byte as pinned', () => {
  let t: TestApp;
  let asset: string;
  beforeAll(async () => {
    ensureWebBuilt();
    asset = readdirSync(join(ROOT, 'web', 'dist', 'assets')).find((f) => f.endsWith('.js'))!;
    t = await startTestApp({ extraModules: [CounterTestModule, PendingModule], extraProjections: [countersProjection, stallProjection] });
  }, 120_000);
  afterAll(async () => {
    release();
    await t?.close();
  });

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    raw(t.url, method, path, body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body);
  const json = { 'content-type': 'application/json' };
  const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

  it('API routes: a JSON command through the pipe, a JSON read, a guard refusal, an unknown route', async () => {
    const counter: Answer = {
      status: 201,
      headers: [
        ...SECURITY,
        ['content-type', 'application/json; charset=utf-8'],
        ['content-length', '37'],
        ['etag', 'W/"25-QU+34ZtiVY6HUrRH/YSTQpReDYs"'],
        ...CLOSE,
      ],
      body: '{"id":"pin","total":5,"increments":1}',
    };
    expect(await send('POST', '/test/counters/pin/increment', json, '{"by":5}')).toEqual(counter);
    expect(await send('GET', '/test/counters/pin')).toEqual({ ...counter, status: 200 });
    expect(await send('GET', '/me')).toEqual({
      status: 401,
      headers: problem(192, 'W/"c0-OCZqrA/NoQDrHTS//nfhV6P2bCE"'),
      body: '{"type":"https://petanque.life/problems/unauthenticated","title":"Unauthorized","status":401,"detail":"An access token is required (Authorization: Bearer ...).","error_code":"unauthenticated"}',
    });
    // the request context reaches the event: the caller's correlation id (or a fresh one when it is not well-formed), address, user agent
    await send(
      'POST',
      '/test/counters/ctx/increment',
      { ...json, 'x-correlation-id': 'pin-1.a_b', 'user-agent': 'pin-agent/1' },
      '{"by":1}',
    );
    await send('POST', '/test/counters/ctx/increment', { ...json, 'x-correlation-id': 'not ok!' }, '{"by":1}');
    const [first, second] = await t.app.get<EventStore>(EVENT_STORE).readStream('counter-ctx');
    expect(first!.metadata).toMatchObject({ correlation_id: 'pin-1.a_b', ip: '127.0.0.1', user_agent: 'pin-agent/1' });
    expect(second!.metadata.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    const tiers = await send('GET', '/public/tenant-tiers');
    expect(tiers.headers.map(([k]) => k)).toEqual([
      ...SECURITY.map(([k]) => k),
      'etag',
      'cache-control',
      'content-type',
      'content-length',
      'connection',
    ]);
    expect(tiers.headers.slice(0, SECURITY.length)).toEqual(SECURITY);
    for (const method of ['GET', 'OPTIONS'])
      expect(await send(method, '/nope')).toEqual({
        status: 404,
        headers: problem(
          method === 'GET' ? 137 : 141,
          method === 'GET' ? 'W/"89-EJ8A2VZKwHKPcLRsukb33yuWyVk"' : 'W/"8d-v+fxkROKO2g6TjO9cV9w+ODBd1Y"',
        ),
        body: `{"type":"https://petanque.life/problems/not-found","title":"Not Found","status":404,"detail":"Cannot ${method} /nope","error_code":"not_found"}`,
      });
  });

  it('a command whose read models are not ready within its wait answers 202 with X-Consistency: pending', async () => {
    expect(await send('POST', '/test/pending/stall-1')).toEqual({
      status: 202,
      headers: [
        ...SECURITY,
        ['x-consistency', 'pending'],
        ['content-type', 'application/json; charset=utf-8'],
        ['content-length', '16'],
        ['etag', 'W/"10-Z77Ly2WsOp/tedVjpVKiwOwSGnw"'],
        ...CLOSE,
      ],
      body: '{"id":"stall-1"}',
    });
    release();
    await t.settle();
    expect((await send('POST', '/test/pending/ready-1')).status).toBe(201);
  });

  it('the web app: a screen (GET and HEAD) under the CSP, a hashed asset, a missing asset, and the API docs', async () => {
    const page: Array<[string, string]> = [
      ...SECURITY,
      ['content-type', 'text/html; charset=utf-8'],
      ['cache-control', 'no-store'],
      ['content-length', '*'],
      ['etag', '*'],
      ...CLOSE,
    ];
    expect(built(await send('GET', '/account/sessions', html))).toEqual({ status: 200, headers: page, body: '' });
    expect(built(await send('HEAD', '/account', html))).toEqual({ status: 200, headers: page, body: '' });
    // an API call under a screen prefix that asks for JSON is not the app
    expect((await send('GET', '/account', { accept: 'application/json' })).status).toBe(404);
    expect(built(await send('GET', `/app/assets/${asset}`))).toEqual({
      status: 200,
      headers: [
        ...SECURITY,
        ['accept-ranges', 'bytes'],
        ['cache-control', 'public, max-age=31536000, immutable'],
        ['last-modified', '*'],
        ['etag', '*'],
        ['content-type', 'text/javascript; charset=utf-8'],
        ['content-length', '*'],
        ...CLOSE,
      ],
      body: '',
    });
    expect(await send('GET', '/app/assets/no-such-file.js')).toEqual({
      status: 404,
      headers: problem(159, 'W/"9f-qzg9eLXPqMvor90J89HizrIsPVQ"'),
      body: '{"type":"https://petanque.life/problems/not-found","title":"Not Found","status":404,"detail":"Cannot GET /app/assets/no-such-file.js","error_code":"not_found"}',
    });
    const docs = await send('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.map(([k, v]) => [k, k === 'etag' || k === 'content-length' ? '*' : v])).toEqual([
      ...SECURITY,
      ['content-type', 'text/html; charset=utf-8'],
      ['content-length', '*'],
      ['etag', '*'],
      ...CLOSE,
    ]);
  });

  it('bodies: malformed JSON, too large, a lone surrogate, a DTO refusal, a form, a type no parser takes', async () => {
    expect(await send('POST', '/auth/login', json, '{"email": 1,')).toEqual({
      status: 400,
      headers: problem(168, 'W/"a8-pVtiga8yz5MEmjbDpo+jrcyQtvY"'),
      body: '{"type":"https://petanque.life/problems/malformed-json","title":"Bad Request","status":400,"detail":"The request body is not valid JSON.","error_code":"malformed_json"}',
    });
    expect(await send('POST', '/auth/login', json, JSON.stringify({ email: 'a'.repeat(110_000) }))).toEqual({
      status: 413,
      headers: problem(175, 'W/"af-27Zcg2HDOCxgxFHYmOT7tRFuRLY"'),
      body: '{"type":"https://petanque.life/problems/payload-too-large","title":"Payload Too Large","status":413,"detail":"The request body is too large.","error_code":"payload_too_large"}',
    });
    const lone = 'email must be well-formed Unicode text (it holds a lone UTF-16 surrogate)';
    expect(await send('POST', '/auth/login', json, '{"email":"\\ud800","password":"x"}')).toEqual({
      status: 400,
      headers: problem(299, 'W/"12b-B5oO7xux76T5DT3cIkkGkfpbj/I"'),
      body: `{"type":"https://petanque.life/problems/validation-failed","title":"Bad Request","status":400,"detail":"${lone}","error_code":"validation_failed","errors":["${lone}"]}`,
    });
    const dto = await send('POST', '/test/counters/pin/increment', json, '{"by":"one"}');
    expect(dto.headers).toEqual(problem(dto.body.length, dto.headers.find(([k]) => k === 'etag')![1]));
    expect(JSON.parse(dto.body)).toMatchObject({ status: 400, error_code: 'validation_failed' });
    // urlencoded is parsed on every route (46elks posts forms); here it reaches the DTO like JSON does
    expect(
      await send('POST', '/test/counters/pin/increment', { 'content-type': 'application/x-www-form-urlencoded' }, 'by=5'),
    ).toMatchObject({
      status: 400,
      body: expect.stringContaining(
        '"errors":["by must not be greater than 100","by must not be less than 1","by must be an integer number"]',
      ),
    });
    const form = await send(
      'POST',
      '/auth/login',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'email=a%40b.test&password=wrong-password-123',
    );
    expect([form.status, JSON.parse(form.body).error_code]).toEqual([401, 'invalid_credentials']);
    const text = await send('POST', '/auth/login', { 'content-type': 'text/plain' }, 'hello');
    expect([text.status, JSON.parse(text.body).error_code]).toEqual([400, 'validation_failed']);
  });
});
