/**
 * Fuzzes every operation of the OpenAPI document (`/docs-json`) over real HTTP: odd path and
 * query values, broken and hostile JSON, wrong types, unknown and prototype keys, huge and
 * non-well-formed strings, sent anonymously, as a member and as an admin (tenant admin with
 * every sys role). Any 5xx, any stack trace in a body, a 4xx that is not problem+json with an
 * error_code, or a polluted Object.prototype fails the run with operation and payload.
 * Deterministic: FUZZ_SEED (default below) fixes every request.
 */
import { ADMIN, BOOTSTRAP_ENV, addMember, adminLogin, login } from '../support/identity.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { enrolTotp, verifyTotp } from '../policy/helpers.js';
import { createTenant } from '../support/tenants.js';
import { casesFor, ODD_AUTH_HEADERS, seededRandom, withinBudget, type FuzzCase } from './mutations.js';
import { expressToOpenApi, operationsOf, type Operation } from './openapi-operations.js';
import { closeAgent, rawRequest, type RawResponse } from './raw-http.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const MIN_REQUESTS = 3000;
/** Roughly the requests of one run, spread over operations x callers (each gets at least 12). */
const TARGET_REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5000);
const CONCURRENCY = 6;
const MEMBER = { email: 'fuzz.member@federation.test', password: 'a long enough password 123' };
const OUTSIDER = { email: 'fuzz.outsider@forbund.test', password: 'the outsiders own password 9' };
/** Served by Nest but not API operations: the HTML account pages and their scripts, the docs. */
const NOT_API = /^\/(docs|account)(\/|-json|-yaml|$)/;
const STACK = /\bat [^\s]+ \(?[^\s)]*:\d+:\d+\)?|\.(ts|js|mjs|cjs):\d+:\d+|node_modules/;

interface Caller {
  name: 'anonymous' | 'member' | 'admin' | 'outsider';
  headers: () => Record<string, string>;
  relogin?: () => Promise<void>;
}

interface Failure {
  op: string;
  caller: string;
  label: string;
  request: string;
  status: number;
  body: string;
}

let t: TestApp;
let doc: Parameters<typeof operationsOf>[0];

beforeAll(async () => {
  t = await startTestApp({ env: BOOTSTRAP_ENV });
  doc = (await t.http.get('/docs-json').expect(200)).body;
});
afterAll(async () => {
  closeAgent();
  await t?.close();
});

function judge(res: RawResponse): string | null {
  if (res.status >= 500) return `status ${res.status}`;
  if (STACK.test(res.body)) return 'stack trace in body';
  if (res.status >= 400) {
    if (!/application\/problem\+json/.test(res.contentType)) return `4xx as ${res.contentType || 'no content type'}`;
    try {
      const p = JSON.parse(res.body) as { error_code?: unknown; status?: unknown };
      if (typeof p.error_code !== 'string' || p.status !== res.status) return '4xx problem without error_code/status';
    } catch {
      return '4xx problem body is not JSON';
    }
  }
  return null;
}

const describeCase = (op: Operation, c: FuzzCase) => {
  const body =
    c.body === undefined ? '' : Buffer.isBuffer(c.body) ? ` <bytes ${c.body.toString('hex').slice(0, 60)}>` : ` ${c.body.slice(0, 160)}`;
  return `${op.method} ${c.target.slice(0, 160)}${c.contentType ? ` [${c.contentType}]` : ''}${body}`;
};

async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await work(items[i++]);
    }),
  );
}

test('every route Nest serves is an operation of the OpenAPI document', () => {
  const ex = t.app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  const documented = new Set(operationsOf(doc).map((o) => o.id));
  const routes = ex.router.stack
    .filter((l) => l.route && !NOT_API.test(l.route.path))
    .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${expressToOpenApi(l.route!.path)}`));
  expect(routes.length).toBeGreaterThan(30);
  expect(routes.filter((r) => !documented.has(r))).toEqual([]);
});

test(`fuzz: every operation, four callers, at least ${MIN_REQUESTS} requests, no 5xx and no stack trace`, async () => {
  const started = Date.now();
  const admin = await adminLogin(t);
  const member = await addMember(t, admin, { email: MEMBER.email, password: MEMBER.password });
  // the ids the fuzzer puts in paths belong to a third person, so that a valid-looking DELETE or
  // PATCH (member removal, deactivation, sys roles) does not take the fuzzing callers out of play
  const target = await addMember(t, admin, { email: 'fuzz.target@federation.test' });
  const targetSession = await login(t, 'fuzz.target@federation.test', target.password);
  // the outsider: a fresh tenant_admin of another tenant, fuzzing with this tenant's ids; any of
  // this tenant's people showing up in its answers is a leak, whatever the route
  const other = await createTenant(t, { name: 'Fuzz Outsiders', adminEmail: OUTSIDER.email, adminPassword: OUTSIDER.password });
  const outsiderSecret = (await enrolTotp(t, (await login(t, OUTSIDER.email, OUTSIDER.password)).auth)).secret;
  const freshOutsider = async () => verifyTotp(t, (await login(t, OUTSIDER.email, OUTSIDER.password)).auth, outsiderSecret);
  let outsiderAuth = await freshOutsider();
  const marks = ['fuzz.target@federation.test', MEMBER.email, target.user_id, member.user_id, 'fuzz.target', 'fuzz.member'];
  // the admin has TOTP and a fresh second factor, so step-up endpoints are reached, not refused early
  const { secret } = await enrolTotp(t, admin.auth);
  const freshAdmin = async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    return verifyTotp(t, l.auth, secret).catch(() => l.auth); // a fuzzed DELETE /auth/mfa/totp may have removed it
  };
  let adminAuth = await freshAdmin();
  let memberAuth = (await login(t, MEMBER.email, MEMBER.password)).auth;
  const callers: Caller[] = [
    { name: 'anonymous', headers: () => ({}) },
    {
      name: 'member',
      headers: () => memberAuth,
      relogin: async () => void (memberAuth = (await login(t, MEMBER.email, MEMBER.password)).auth),
    },
    { name: 'admin', headers: () => adminAuth, relogin: async () => void (adminAuth = await freshAdmin()) },
    {
      name: 'outsider',
      headers: () => outsiderAuth,
      relogin: async () =>
        void (outsiderAuth = await freshOutsider().catch(async () => (await login(t, OUTSIDER.email, OUTSIDER.password)).auth)),
    },
  ];
  expect(other.tenant_id).not.toBe(admin.tenant_id);
  // valid ids, so that a request is wrong only where the fuzzer made it wrong
  const ctx = { tenant_id: admin.tenant_id, user_id: target.user_id, id: targetSession.session_id, secret: 'not-the-webhook-secret' };

  const ops = operationsOf(doc);
  const rng = seededRandom(SEED);
  const failures: Failure[] = [];
  const perOp = new Map<string, number>();
  const statuses: Record<string, Record<number, number>> = { anonymous: {}, member: {}, admin: {}, outsider: {} };
  let sent = 0;
  for (const op of ops) {
    for (const caller of callers) {
      const cases = withinBudget(casesFor(op, ctx, rng), Math.max(12, Math.floor(TARGET_REQUESTS / (ops.length * callers.length))), rng);
      if (caller.name === 'anonymous')
        for (const h of ODD_AUTH_HEADERS) cases.push({ label: `header ${Object.keys(h).join(',')}`, target: cases[0].target, headers: h });
      await pool(cases, CONCURRENCY, async (c) => {
        let res: RawResponse;
        try {
          res = await rawRequest(t.url, op.method, c.target, {
            body: c.body,
            contentType: c.contentType,
            headers: { ...caller.headers(), ...c.headers },
          });
        } catch (err) {
          res = { status: 599, contentType: '', body: String(err) };
        }
        sent++;
        statuses[caller.name][res.status] = (statuses[caller.name][res.status] ?? 0) + 1;
        perOp.set(op.id, (perOp.get(op.id) ?? 0) + 1);
        const sentText = `${c.target} ${c.body ?? ''}`;
        const leaked = caller.name === 'outsider' ? marks.find((m) => res.body.includes(m) && !sentText.includes(m)) : undefined;
        const why = judge(res) ?? (leaked ? `another tenant's data in the answer (${leaked})` : null);
        if (why)
          failures.push({
            op: op.id,
            caller: caller.name,
            label: `${c.label}: ${why}`,
            request: describeCase(op, c),
            status: res.status,
            body: res.body.slice(0, 300),
          });
      });
      // a fuzzed logout / revoke-all / password change may end the caller's session: sign in again
      if (caller.relogin && (await rawRequest(t.url, 'GET', '/me', { headers: caller.headers() })).status === 401) {
        t.clock.advance(31_000); // past the login backoff that fuzzed wrong passwords may have started
        await caller.relogin();
      }
    }
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `fuzz: ${sent} requests over ${ops.length} operations x ${callers.length} callers in ${seconds.toFixed(1)} s (seed ${SEED}), ${failures.length} failures`,
  );
  console.log(`statuses per caller: ${JSON.stringify(statuses)}`);
  if (failures.length)
    console.log(
      failures
        .slice(0, 40)
        .map((f) => `${f.caller} ${f.op} — ${f.label}\n  ${f.request}\n  -> ${f.status} ${f.body}`)
        .join('\n'),
    );

  expect(sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
  // the signed-in callers really were signed in for most of the run (not one long string of 401s)
  for (const name of ['member', 'admin', 'outsider'] as const) {
    const total = Object.values(statuses[name]).reduce((a, b) => a + b, 0);
    expect((statuses[name][401] ?? 0) / total).toBeLessThan(0.2);
  }
  expect(ops.filter((o) => (perOp.get(o.id) ?? 0) < 30).map((o) => o.id)).toEqual([]);
  expect(Object.keys(Object.prototype)).toEqual([]); // nothing polluted the prototype
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(failures.map((f) => `${f.caller} ${f.op} — ${f.label}`)).toEqual([]);
}, 300_000); // ~20 s on an idle 2-core machine; generous for a busy CI host
