/**
 * `npm run bench -- http`: the real app over HTTP beside Better Auth, in one run.
 *
 * Both servers run as child processes on embedded SQLite in a temp dir (ours: bench/http-server.ts;
 * theirs: bench/peers/better-auth-server.mjs, email + password and the two-factor plugin on
 * better-sqlite3, installed with `npm install --prefix bench/peers`). This process is the load
 * generator: keep-alive HTTP clients, 1 and 8 at a time, over:
 *   login (many accounts) · refresh (ours only: Better Auth has no refresh-token rotation) ·
 *   the authenticated read (ours GET /me, theirs GET /api/auth/get-session) · TOTP step-up verify
 *   on existing sessions (BENCH_MFA_USERS enrolled users, default 1,000, each once per time step:
 *   the bench moves both servers' clocks) · recovery-code verify.
 * Each side's bare password-hash rate (8 parallel verifies, in its own server process, in this
 * run) is the yardstick for its login: argon2id m=19 MiB t=2 p=1 for us, scrypt for Better Auth.
 * Then growth: login, refresh and TOTP verify latency for accounts whose streams already hold
 * 10 … 100,000 events (BENCH_GROWTH), appended straight into our event store beforehand.
 * Every measured row and bare-hash phase also gets CPU per operation: each server's main thread
 * and its other threads (/proc/<pid>/task/*), and this load generator (process.cpuUsage).
 * Env: BENCH_MFA_USERS, BENCH_LOGIN_USERS (64), BENCH_REQUESTS (ops per row, 400), BENCH_ROUNDS
 * (TOTP rounds per row, 2), BENCH_GROWTH (e.g. "10,1000"), BENCH_SAMPLES (growth rounds, 40), BENCH_PEERS=0 skips Better Auth,
 * BENCH_QUICK=1 (about a minute: 200 TOTP users, 200 requests, no growth, no peers).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteEventStore } from '../src/eventstore/sqlite-event-store.js';
import type { NewEvent } from '../src/eventstore/event-store.port.js';
import { totpAt } from '../src/mfa/totp/totp.core.js';
import { randomToken, sha256Hex } from '../src/shared/crypto.js';
import { keyFile } from '../src/shared/secrets.js';
import { keyedStreamName } from '../src/privacy/sealing-event-store.js';

const env = (name: string, def: number) => {
  const n = Number((process.env[name] ?? String(def)).replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer`);
  return n;
};
/**
 * BENCH_QUICK=1: a run of about a minute for a quick A/B (200 TOTP users, 200 requests per row, no
 * growth, no Better Auth unless BENCH_PEERS=1); any knob set explicitly still wins.
 */
const QUICK = process.env.BENCH_QUICK === '1';
const MFA_USERS = env('BENCH_MFA_USERS', QUICK ? 200 : 1000);
const LOGIN_USERS = env('BENCH_LOGIN_USERS', 64);
const REQUESTS = env('BENCH_REQUESTS', QUICK ? 200 : 400);
const ROUNDS = env('BENCH_ROUNDS', 2);
const SAMPLES = env('BENCH_SAMPLES', 40);
const GROWTH = (process.env.BENCH_GROWTH ?? (QUICK ? '' : '10,1000,10000,100000')).split(',').filter(Boolean).map(Number);
const PEERS = QUICK ? process.env.BENCH_PEERS === '1' : process.env.BENCH_PEERS !== '0';
/** BENCH_CLIENTS: client counts (default "1,8"). */
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8').split(',').map(Number);
/** BENCH_ONLY: our rows to measure (default all: login,refresh,me,totp,recovery); setup always runs. */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
/** BENCH_PROF=<dir>: a V8 CPU profile of our server per measured row, <dir>/ours-<row>-<clients>.cpuprofile. */
const PROF = process.env.BENCH_PROF ?? '';
const PASSWORD = 'the right password 123';
const STEP = 30_000;
const log = (msg: string) => process.stderr.write(`bench http: ${msg}\n`);
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');

// ---------------------------------------------------------------- servers (child processes)

class Server {
  private waiting: Array<{ key: string; resolve: (v: unknown) => void }> = [];
  port = 0;
  now = 0;
  stopping = false;
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: Record<string, unknown>) => {
      const i = this.waiting.findIndex((w) => w.key in m);
      if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(m);
    });
  }
  static async start(entry: string, dir: string): Promise<Server> {
    // both servers run with the memory settings `npm start` and the image use (scripts/start.mjs;
    // README, Benchmarks, "Memory"); any of them set in this environment wins
    const env = {
      ...process.env,
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(Math.min(4, Math.max(2, cpus().length))),
      NODE_OPTIONS: `--max-old-space-size=512 --max-semi-space-size=8 ${process.env.NODE_OPTIONS ?? ''}`.trim(),
    };
    const child = fork(entry, [dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env });
    const s = new Server(child);
    child.on('exit', (code, signal) => {
      if (!s.stopping) log(`${entry} exited unexpectedly: code ${code} signal ${signal}`);
    });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`))));
    const ready = (await Promise.race([s.ask({}, 'port'), exited])) as { port: number; now?: number };
    s.port = ready.port;
    s.now = ready.now ?? Date.now();
    return s;
  }
  ask<T = Record<string, unknown>>(msg: object, key: string): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push({ key, resolve: resolve as (v: unknown) => void });
      if (Object.keys(msg).length) this.child.send(msg);
    });
  }
  /** Moves the server's clock to 10 s into a time step at least one step after the current one. */
  async nextStep(): Promise<number> {
    const target = this.now + STEP;
    const at = target - (target % STEP) + 10_000;
    const r = await this.ask<{ advanced: number }>({ advance: at - this.now }, 'advanced');
    this.now = r.advanced;
    return this.now;
  }
  stop(): Promise<void> {
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    return exited;
  }
}

// ---------------------------------------------------------------- CPU time per operation

/** CPU time of one process in µs: its main thread (tid == pid) and all its other threads. */
interface ThreadCpu {
  main: number;
  other: Map<string, number>;
}
/** One thread's CPU time in µs: schedstat's run time (ns) where the kernel has it, else stat's utime+stime (clock ticks, 10 ms). */
function taskCpu(pid: number, tid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    // the fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
  }
}
/** A snapshot of every thread of `pid`, or null where /proc is missing (not Linux) or the process is gone. */
function threadCpu(pid: number | undefined): ThreadCpu | null {
  if (!pid) return null;
  try {
    const out: ThreadCpu = { main: taskCpu(pid, String(pid)), other: new Map() };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      if (tid === String(pid)) continue;
      try {
        out.other.set(tid, taskCpu(pid, tid));
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return out;
  } catch {
    return null;
  }
}
/** CPU per operation in µs: the server's main thread, its other threads (libuv pool, V8 GC helpers …), this load generator. */
interface Cpu {
  main: number | null;
  other: number | null;
  client: number;
}
/**
 * Starts counting CPU of the server `pid` and of this process; the returned function gives the
 * CPU per operation over `n` operations since. Threads that start meanwhile count from zero; a
 * thread that ends meanwhile loses its share (Node's pool and V8 helper threads live as long as the process).
 */
function cpuSpan(pid: number | undefined): (n: number) => Cpu {
  const s0 = threadCpu(pid);
  const c0 = process.cpuUsage();
  return (n) => {
    const s1 = threadCpu(pid);
    const c = process.cpuUsage(c0);
    let other = 0;
    if (s0 && s1) for (const [tid, us] of s1.other) other += us - (s0.other.get(tid) ?? 0);
    return {
      main: s0 && s1 ? (s1.main - s0.main) / n : null,
      other: s0 && s1 ? other / n : null,
      client: (c.user + c.system) / n,
    };
  };
}
/**
 * Runs one measured row and adds its CPU per operation. `settle`: our server finishes the work the
 * row's events started (projections, reactors, jobs) inside the count, so that it is the row's and
 * not in the next phase (the bare hash right after login).
 */
async function withCpu(s: Server, run: () => Promise<Row>, settle = false): Promise<Row> {
  const end = cpuSpan(s.child.pid);
  const r = await run();
  if (settle) await s.ask({ settle: true }, 'settled');
  return { ...r, cpu: end(r.n) };
}
/** The rate a row's CPU per op allows with every core free: cores / all its CPU, or 1 / main where the main thread saturates first. */
function ceiling(c: Cpu | undefined): number | null {
  if (c?.main == null || c.other == null) return null;
  return Math.min((cpus().length * 1e6) / (c.main + c.other + c.client), 1e6 / c.main);
}
const serverCpu = (c: Cpu | undefined) => (c?.main == null || c.other == null ? null : c.main + c.other);

// ---------------------------------------------------------------- HTTP client

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}
/**
 * One request. A keep-alive socket the server closed while idle (its keepAliveTimeout, e.g.
 * while the bench seeds history) fails with ECONNRESET / socket hang up before the server read
 * the request: that one is sent again on a fresh socket.
 */
async function call(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  try {
    return await callOnce(port, method, path, body, headers);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ECONNRESET' && !/socket hang up/.test(String(err))) throw err;
    return callOnce(port, method, path, body, headers, false);
  }
}

function callOnce(port: number, method: string, path: string, body: unknown, headers: Record<string, string>, pooled = true): Promise<Res> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        // the retry takes a fresh connection: other pooled sockets may be just as stale
        agent: pooled ? agent : false,
        headers: {
          origin: 'http://127.0.0.1',
          'user-agent': 'petanque-bench/1',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            parsed = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
const ok = (r: Res, what: string) => {
  if (r.status < 200 || r.status > 299) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r;
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** The `sub` claim of an access token (the user id), unverified: the bench only names streams with it. */
const subjectOf = (token: string): string => {
  const sub = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown }).sub;
  if (typeof sub !== 'string') throw new Error('access token without sub');
  return sub;
};
const cookieOf = (r: Res) =>
  ([] as string[])
    .concat(r.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0]!)
    .filter((c) => c.startsWith('better-auth.session_token='))
    .pop();

/** Runs `n` operations over `clients` concurrent workers; latencies in ms. */
async function measure(clients: number, n: number, op: (i: number, worker: number) => Promise<Res>) {
  const lat: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError = '';
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async (_, w) => {
      for (let i = next++; i < n; i = next++) {
        const s = process.hrtime.bigint();
        const r = await op(i, w);
        lat.push(Number(process.hrtime.bigint() - s) / 1e6);
        if (r.status < 200 || r.status > 299) {
          errors++;
          firstError ||= `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
        }
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0;
  if (errors) log(`  ${errors} of ${n} failed, first: ${firstError}`);
  const row: Row = { rps: n / secs, p50: pct(50), p99: pct(99), errors, n };
  return row;
}
interface Row {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  n: number;
  /** CPU per operation (withCpu) */
  cpu?: Cpu;
}

/** Runs tasks with bounded concurrency (setup). */
async function pool<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
    }),
  );
}

// ---------------------------------------------------------------- our side

interface MfaUser {
  email: string;
  user_id: string;
  secret: string;
  access: string;
  refresh: string;
  session_id: string;
  codes: string[];
}

async function oursSetup(s: Server) {
  const adminToken = async () =>
    ok(await call(s.port, 'POST', '/auth/login', { email: 'admin@bench.test', password: PASSWORD }), 'admin login').body
      .access_token as string;
  let admin = await adminToken();
  const me = ok(await call(s.port, 'GET', '/me', undefined, bearer(admin)), 'admin me').body;
  const tid = (me.tenant as { id: string }).id;
  // members are invited (the answer names the invitation, not the user): the user id is the `sub` of their first access token
  const add = async (email: string): Promise<void> => {
    const body = { email, display_name: email.split('@')[0], roles: ['member'], password: PASSWORD };
    let r = await call(s.port, 'POST', `/tenants/${tid}/members`, body, bearer(admin));
    // the bench moves the app clock: the admin's access token expires like anyone's
    if (r.status === 401) r = await call(s.port, 'POST', `/tenants/${tid}/members`, body, bearer((admin = await adminToken())));
    ok(r, 'add member');
  };
  const loginEmails = Array.from({ length: LOGIN_USERS }, (_, i) => `login${i}@bench.test`);
  await pool(loginEmails, 4, async (e) => void (await add(e)));
  const mfa: MfaUser[] = [];
  const enrol = async (email: string): Promise<MfaUser> => {
    await add(email);
    const l = ok(await call(s.port, 'POST', '/auth/login', { email, password: PASSWORD }), 'login').body;
    const user_id = subjectOf(l.access_token as string);
    const enrolled = ok(await call(s.port, 'POST', '/auth/mfa/totp/enroll', undefined, bearer(l.access_token as string)), 'enroll').body;
    const secret = enrolled.secret as string;
    ok(await call(s.port, 'POST', '/auth/mfa/totp/confirm', { code: totpAt(secret, s.now) }, bearer(l.access_token as string)), 'confirm');
    return {
      email,
      user_id,
      secret,
      access: l.access_token as string,
      refresh: l.refresh_token as string,
      session_id: l.session_id as string,
      codes: [],
    };
  };
  await pool(
    Array.from({ length: MFA_USERS }, (_, i) => `mfa${i}@bench.test`),
    4,
    async (e) => void mfa.push(await enrol(e)),
  );
  // recovery codes need a fresh second factor: one verify per user in the next time step
  const now = await s.nextStep();
  await pool(mfa, 4, async (u) => {
    const v = ok(await call(s.port, 'POST', '/auth/mfa/totp/verify', { code: totpAt(u.secret, now) }, bearer(u.access)), 'step-up');
    u.access = v.body.access_token as string;
    u.codes = ok(await call(s.port, 'POST', '/auth/mfa/recovery-codes/generate', undefined, bearer(u.access)), 'recovery codes').body
      .codes as string[];
  });
  return { loginEmails, mfa, enrol };
}

async function oursRows(s: Server, setup: Awaited<ReturnType<typeof oursSetup>>) {
  const rows: Record<string, Record<number, Row>> = {};
  /** Bare argon2id verifies per second with as many in parallel as the row's clients, and their CPU per verify. */
  const hash: Record<number, number> = {};
  const hashCpu: Record<number, Cpu> = {};
  const { loginEmails, mfa } = setup;
  /** One measured row (unless BENCH_ONLY leaves it out), profiled on its own with BENCH_PROF. */
  const row = async (name: string, c: number, run: () => Promise<Row>) => {
    if (ONLY && !ONLY.has(name)) return;
    log(`ours, ${c} client(s): ${name}`);
    if (PROF) await s.ask({ profile: 'start' }, 'profiled');
    (rows[name] ??= {})[c] = await withCpu(s, run, true);
    if (PROF) await s.ask({ profile: join(PROF, `ours-${name}-${c}.cpuprofile`) }, 'profiled');
  };
  for (const c of CLIENTS) {
    const sessions: Array<{ access: string; refresh: string }> = [];
    // the sessions the other rows use (also when BENCH_ONLY leaves login out)
    for (let i = 0; i < c && !(ONLY?.has('login') ?? true); i++) {
      const r = ok(await call(s.port, 'POST', '/auth/login', { email: loginEmails[i % loginEmails.length], password: PASSWORD }), 'login');
      sessions.push({ access: r.body.access_token as string, refresh: r.body.refresh_token as string });
    }
    // the yardstick right beside the row: bare verifies just before and just after it
    const bare = () => bareHash(s, 64, c);
    const before = !ONLY || ONLY.has('login') ? await bare() : null;
    await row('login', c, () =>
      measure(c, REQUESTS, async (i) => {
        const r = await call(s.port, 'POST', '/auth/login', { email: loginEmails[i % loginEmails.length], password: PASSWORD });
        if (r.status === 200 && sessions.length < 8)
          sessions.push({ access: r.body.access_token as string, refresh: r.body.refresh_token as string });
        return r;
      }),
    );
    if (before) {
      const after = await bare();
      hash[c] = (before.rate + after.rate) / 2;
      hashCpu[c] = meanCpu(before.cpu, after.cpu);
    }
    await row('refresh', c, () =>
      measure(c, REQUESTS, async (_, w) => {
        const r = await call(s.port, 'POST', '/auth/refresh', { refresh_token: sessions[w]!.refresh });
        if (r.status === 200) sessions[w] = { access: r.body.access_token as string, refresh: r.body.refresh_token as string };
        return r;
      }),
    );
    // the same-run baseline of the authenticated read: a public constant through the same pipeline
    await row('bare', c, () => measure(c, REQUESTS * 4, async () => call(s.port, 'GET', '/bench/bare')));
    await row('me', c, () => measure(c, REQUESTS * 4, async (_, w) => call(s.port, 'GET', '/me', undefined, bearer(sessions[w]!.access))));
    await row('totp', c, async () => {
      const parts: Row[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const now = await s.nextStep();
        parts.push(
          await measure(c, mfa.length, async (i) => {
            const u = mfa[i]!;
            const r = await call(s.port, 'POST', '/auth/mfa/totp/verify', { code: totpAt(u.secret, now) }, bearer(u.access));
            if (r.status === 200) u.access = r.body.access_token as string;
            return r;
          }),
        );
      }
      return combine(parts);
    });
    await row('recovery', c, () =>
      measure(c, mfa.length, async (i) => {
        const u = mfa[i]!;
        const r = await call(s.port, 'POST', '/auth/mfa/recovery-codes/verify', { code: u.codes.shift() }, bearer(u.access));
        if (r.status === 200) u.access = r.body.access_token as string;
        return r;
      }),
    );
  }
  // revocation is effective on the very next request
  const victim = mfa[0]!;
  ok(await call(s.port, 'GET', '/me', undefined, bearer(victim.access)), 'me before revoke');
  ok(await call(s.port, 'DELETE', `/auth/sessions/${victim.session_id}`, undefined, bearer(victim.access)), 'revoke');
  const after = await call(s.port, 'GET', '/me', undefined, bearer(victim.access));
  return {
    rows,
    hash,
    hashCpu,
    revokedNext: after.status === 401 ? `401 ${String(after.body.error_code)}` : `NOT REVOKED (${after.status})`,
  };
}

/** Bare password-hash verifies in the server's own process (`n`, `clients` at a time): per second, and CPU per verify. */
async function bareHash(s: Server, n: number, clients: number): Promise<{ rate: number; cpu: Cpu }> {
  const end = cpuSpan(s.child.pid);
  const rate = (await s.ask<{ bareHash: number }>({ bareHash: { n, clients } }, 'bareHash')).bareHash;
  return { rate, cpu: end(n) };
}
/** The server's CPU per second while no request is sent (1 s). */
async function idleCpu(s: Server): Promise<Cpu> {
  const end = cpuSpan(s.child.pid);
  await new Promise((r) => setTimeout(r, 1000));
  return end(1);
}
const meanCpu = (a: Cpu, b: Cpu): Cpu => ({
  main: a.main == null || b.main == null ? null : (a.main + b.main) / 2,
  other: a.other == null || b.other == null ? null : (a.other + b.other) / 2,
  client: (a.client + b.client) / 2,
});

/** Throughput of several rounds as one row (rounds are separated only by a clock move). */
function combine(parts: Row[]): Row {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const secs = parts.reduce((s, p) => s + p.n / p.rps, 0);
  return {
    n,
    rps: n / secs,
    p50: parts.reduce((s, p) => s + p.p50 * p.n, 0) / n,
    p99: Math.max(...parts.map((p) => p.p99)),
    errors: parts.reduce((s, p) => s + p.errors, 0),
  };
}

// ---------------------------------------------------------------- growth (ours)

/** Appends `n` events that each hot stream of this account would hold after `n` requests. */
async function seedHistory(dir: string, u: MfaUser, n: number): Promise<string> {
  if (!u.user_id) throw new Error(`no user id for ${u.email}: its streams cannot be named`);
  const es = new SqliteEventStore(join(dir, 'events.sqlite'));
  const append = async (stream: string, make: (i: number) => NewEvent) => {
    let version = await es.streamVersion(stream);
    for (let i = 0; i < n; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, n - i) }, (_, j) => make(i + j));
      version = (await es.append(stream, batch, version === -1 ? 'no_stream' : version)).version;
    }
  };
  const at = new Date().toISOString();
  const attempt = (scope: 'login' | 'mfa', key: string, factor: string) => (i: number) =>
    i % 2 === 0
      ? { type: 'AttemptClaimed', data: { key, scope, user_id: u.user_id, factor, at } }
      : { type: 'AttemptSucceeded', data: { key, scope, user_id: u.user_id, factor, previous_failures: 0 } };
  // the app stores a new address stream under a keyed name (src/privacy): seed the one it reads
  const loginStream = keyedStreamName(keyFile(dir, 'hmac.key', 32), `bruteforce-login-${sha256Hex(u.email)}`);
  await append(loginStream, attempt('login', sha256Hex(u.email), 'password'));
  await append(`bruteforce-mfa-${u.user_id}`, attempt('mfa', u.user_id, 'totp'));
  await append(`totp-${u.user_id}`, (i) => ({ type: 'TotpCodeAccepted', data: { user_id: u.user_id, step: i } }));
  // n rotations of the session; the last one's token is ours to present
  const token = `${u.session_id}.${randomToken(256)}`;
  const gen = (await es.readStream(`session-${u.session_id}`)).length;
  await append(`session-${u.session_id}`, (i) => ({
    type: 'RefreshTokenRotated',
    data: {
      session_id: u.session_id,
      user_id: u.user_id,
      generation: gen + i,
      refresh_hash: i === n - 1 ? sha256Hex(token) : sha256Hex(`filler-${i}-${randomUUID()}`),
      idle_expires_at: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      at,
    },
  }));
  await es.close();
  return token;
}

type GrowthOp = 'login' | 'refresh' | 'verify';
const GROWTH_OPS: readonly GrowthOp[] = ['login', 'refresh', 'verify'];
/** One request: its latency, and the server's CPU (µs) from its start until the server settled after it. */
interface GrowthSample {
  ms: number;
  main: number | null;
  all: number | null;
}
type GrowthRound = Map<number, Record<GrowthOp, GrowthSample>>;
interface GrowthResult {
  sizes: number[];
  /** The first request of each kind per account: it replays the seeded streams (and snapshots them). */
  first: GrowthRound;
  rounds: GrowthRound[];
  /** A settle with no request before it: part of every sample's CPU. */
  settle: GrowthSample;
}

/**
 * Growth: one account per size, seeded, then the projections settle. Then rounds: in each, every
 * account does one login, refresh and TOTP verify (a fresh time step per round), the accounts in
 * an order rotated by one per round, so drift and neighbours' load hit every size alike and a
 * ratio can be taken within a round. The first round is reported apart (it replays the seeded
 * streams); the second is a warm-up; BENCH_SAMPLES rounds are measured.
 */
async function growth(s: Server, dir: string, setup: Awaited<ReturnType<typeof oursSetup>>): Promise<GrowthResult | null> {
  if (GROWTH.length === 0) return null;
  const accounts: Array<{ n: number; u: MfaUser; refresh: string; access: string }> = [];
  for (const n of GROWTH) {
    log(`growth: an account with ${n} prior events per stream`);
    const u = await setup.enrol(`growth${n}@bench.test`);
    accounts.push({ n, u, refresh: await seedHistory(dir, u, n), access: u.access });
  }
  log('growth: projections catch up with the seeded events');
  await s.ask({ settle: true }, 'settled');
  const send = (a: (typeof accounts)[number], what: GrowthOp, now: number) =>
    what === 'login'
      ? call(s.port, 'POST', '/auth/login', { email: a.u.email, password: PASSWORD })
      : what === 'refresh'
        ? call(s.port, 'POST', '/auth/refresh', { refresh_token: a.refresh })
        : call(s.port, 'POST', '/auth/mfa/totp/verify', { code: totpAt(a.u.secret, now) }, bearer(a.access));
  const sample = async (a: (typeof accounts)[number], what: GrowthOp, now: number): Promise<GrowthSample> => {
    const end = cpuSpan(s.child.pid);
    const t0 = process.hrtime.bigint();
    const r = ok(await send(a, what, now), `growth ${a.n} ${what}`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // 202: the projections had not caught up within the bounded wait
    if (r.status === 202) throw new Error(`growth ${a.n} ${what}: projections lagging (202)`);
    if (what === 'refresh') [a.refresh, a.access] = [r.body.refresh_token as string, r.body.access_token as string];
    // the work the request's events started (projections, reactors) is its own, not the next one's
    await s.ask({ settle: true }, 'settled');
    const cpu = end(1);
    return { ms, main: cpu.main, all: serverCpu(cpu) };
  };
  const round = async (r: number): Promise<GrowthRound> => {
    const now = await s.nextStep();
    const out: GrowthRound = new Map();
    for (let k = 0; k < accounts.length; k++) {
      const a = accounts[(k + r) % accounts.length]!;
      const got = {} as Record<GrowthOp, GrowthSample>;
      for (const what of GROWTH_OPS) got[what] = await sample(a, what, now);
      out.set(a.n, got);
    }
    return out;
  };
  log('growth: the first request per account (replays the seeded streams)');
  const first = await round(0);
  await round(1);
  log(`growth: ${SAMPLES} rounds`);
  const rounds: GrowthRound[] = [];
  for (let r = 0; r < SAMPLES; r++) rounds.push(await round(r + 2));
  const settles: GrowthSample[] = [];
  for (let i = 0; i < 9; i++) {
    const end = cpuSpan(s.child.pid);
    await s.ask({ settle: true }, 'settled');
    const cpu = end(1);
    settles.push({ ms: 0, main: cpu.main, all: serverCpu(cpu) });
  }
  const mid = (xs: GrowthSample[], k: 'main' | 'all') => median(xs.map((x) => x[k] ?? NaN));
  return { sizes: [...GROWTH], first, rounds, settle: { ms: 0, main: mid(settles, 'main'), all: mid(settles, 'all') } };
}

const quantile = (xs: number[], q: number) => {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))]! : NaN;
};
const median = (xs: number[]) => quantile(xs, 0.5);

/** The growth table: first request, medians and server CPU per size, and the per-round ratios largest/smallest. */
function growthLines(g: GrowthResult): string[] {
  const lo = Math.min(...g.sizes);
  const hi = Math.max(...g.sizes);
  const of = (n: number, what: GrowthOp, k: keyof GrowthSample) => g.rounds.map((r) => r.get(n)![what][k] ?? NaN);
  const cpu = (n: number | null) => (n == null || Number.isNaN(n) ? '—' : f0(n));
  const head = ['prior events', 'first: login', 'refresh', 'verify', 'median: login', 'refresh', 'verify', 'CPU: login', 'refresh', 'verify'];
  const body = g.sizes.map((n) => [
    f0(n),
    ...GROWTH_OPS.map((w) => f1(g.first.get(n)![w].ms)),
    ...GROWTH_OPS.map((w) => f1(median(of(n, w, 'ms')))),
    ...GROWTH_OPS.map((w) => `${cpu(median(of(n, w, 'main')))} / ${cpu(median(of(n, w, 'all')))}`),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r.map((c, i) => c.padStart(widths[i]!)).join('  ')}`;
  const ratio = (what: GrowthOp, k: 'ms' | 'main') => {
    const per = g.rounds.map((r) => (r.get(hi)![what][k] ?? NaN) / (r.get(lo)![what][k] ?? NaN));
    return `${what} ${median(per).toFixed(2)} [${quantile(per, 0.25).toFixed(2)}–${quantile(per, 0.75).toFixed(2)}]`;
  };
  return [
    `growth (ours, 1 client): one account per size whose streams hold that many prior events (seeded into the event store, no snapshots);`,
    `  ${g.rounds.length} measured rounds after the first and a warm-up: each account one login, refresh and TOTP verify per round, accounts interleaved`,
    `  (order rotated per round), the server settled after each request. first = the first request per account (it replays the seeded streams`,
    `  and snapshots them); median over the rounds, ms; CPU = the server's µs per request until settled, main thread / all threads, median`,
    line(head),
    ...body.map(line),
    `  ${f0(hi)} / ${f0(lo)}, ratio within each round, median [middle half]: latency ${GROWTH_OPS.map((w) => ratio(w, 'ms')).join(' · ')}`,
    `    main-thread CPU ${GROWTH_OPS.map((w) => ratio(w, 'main')).join(' · ')}; a settle alone (in every CPU figure): main ${cpu(g.settle.main)} / all ${cpu(g.settle.all)} µs`,
  ];
}

// ---------------------------------------------------------------- Better Auth

async function theirsRun(s: Server, rows: Record<string, Record<number, Row>>) {
  const api = (path: string) => `/api/auth${path}`;
  await s.ask({ setup: true }, 'setup');
  const loginEmails = Array.from({ length: LOGIN_USERS }, (_, i) => `login${i}@bench.test`);
  await pool(loginEmails, 4, async (email) => {
    ok(await call(s.port, 'POST', api('/sign-up/email'), { email, password: PASSWORD, name: email.split('@')[0] }), 'sign up');
  });
  const users: Array<{ secret: string; cookie: string; codes: string[] }> = [];
  await pool(
    Array.from({ length: MFA_USERS }, (_, i) => `mfa${i}@bench.test`),
    4,
    async (email) => {
      const up = ok(await call(s.port, 'POST', api('/sign-up/email'), { email, password: PASSWORD, name: email.split('@')[0] }), 'sign up');
      let cookie = cookieOf(up)!;
      const en = ok(await call(s.port, 'POST', api('/two-factor/enable'), { password: PASSWORD }, { cookie }), 'enable 2fa').body;
      const secret = new URL(en.totpURI as string).searchParams.get('secret')!;
      const v = ok(await call(s.port, 'POST', api('/two-factor/verify-totp'), { code: totpAt(secret, Date.now()) }, { cookie }), 'verify');
      cookie = cookieOf(v) ?? cookie;
      users.push({ secret, cookie, codes: en.backupCodes as string[] });
    },
  );
  await s.ask({ setup: false }, 'setup');
  let offset = 0;
  for (const c of CLIENTS) {
    log(`Better Auth, ${c} client(s): login`);
    const cookies: string[] = [];
    (rows.login ??= {})[c] = await withCpu(s, () =>
      measure(c, REQUESTS, async (i) => {
        const r = await call(s.port, 'POST', api('/sign-in/email'), { email: loginEmails[i % loginEmails.length], password: PASSWORD });
        if (r.status === 200 && cookies.length < 8) cookies.push(cookieOf(r)!);
        return r;
      }),
    );
    log(`Better Auth, ${c} client(s): get-session`);
    (rows.me ??= {})[c] = await withCpu(s, () =>
      measure(c, REQUESTS * 4, async (_, w) => call(s.port, 'GET', api('/get-session'), undefined, { cookie: cookies[w]! })),
    );
    log(`Better Auth, ${c} client(s): TOTP verify, ${users.length} users x ${ROUNDS} time steps`);
    const parts: Row[] = [];
    const end = cpuSpan(s.child.pid);
    for (let round = 0; round < ROUNDS; round++) {
      // their clock is the real one plus an offset the bench moves: 10 s into a fresh step
      const theirNow = Date.now() + offset;
      const target = theirNow + STEP;
      const delta = target - (target % STEP) + 10_000 - theirNow;
      offset += delta;
      await s.ask({ advance: delta }, 'advanced');
      const now = Date.now() + offset;
      parts.push(
        await measure(c, users.length, async (i) =>
          call(s.port, 'POST', api('/two-factor/verify-totp'), { code: totpAt(users[i]!.secret, now) }, { cookie: users[i]!.cookie }),
        ),
      );
    }
    const totp = combine(parts);
    (rows.totp ??= {})[c] = { ...totp, cpu: end(totp.n) };
    log(`Better Auth, ${c} client(s): backup-code verify`);
    (rows.recovery ??= {})[c] = await withCpu(s, () =>
      measure(c, users.length, async (i) =>
        call(s.port, 'POST', api('/two-factor/verify-backup-code'), { code: users[i]!.codes.shift() }, { cookie: users[i]!.cookie }),
      ),
    );
  }
}

// ---------------------------------------------------------------- report

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);

/**
 * Login's ratio to the bare hash from CPU per operation: with every core busy, rate ≈ cores / CPU
 * per op, so login / hash ≈ hash CPU / (login's server CPU + the load generator's CPU), unless the
 * server's main thread saturates first (rate ≈ 1 / its CPU per login).
 */
function loginCpuLines(side: string, hash: Cpu | undefined, login: Row | undefined, measured: number): string[] {
  const h = serverCpu(hash);
  const l = serverCpu(login?.cpu);
  if (h == null || l == null || !login?.cpu || !hash) return [`  ${side}: login/hash from CPU per op — (no /proc, or no login row)`];
  const cores = cpus().length;
  const byCores = h / (l + login.cpu.client);
  const byMain = h / (cores * login.cpu.main!);
  return [
    `  ${side} at 8 clients, CPU µs per op: bare hash ${f0(h)} per verify (main ${f0(hash.main!)} + other ${f0(hash.other!)}) · ` +
      `login ${f0(l)} (main ${f0(login.cpu.main!)} + other ${f0(login.cpu.other!)}) = the hash + ${f0(l - h)} of non-hash CPU per login, ` +
      `+ ${f0(login.cpu.client)} in the load generator`,
    `    login/hash ≈ hash / (login + load gen) = ${byCores.toFixed(2)}${byMain < byCores ? ` (main-thread bound: ${byMain.toFixed(2)})` : ''}; measured ${measured.toFixed(2)}`,
  ];
}

export async function httpBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plq-bench-http-'));
  const peerEntry = join(repo, 'bench', 'peers', 'better-auth-server.mjs');
  const peers = PEERS && existsSync(join(repo, 'bench', 'peers', 'node_modules', 'better-auth'));
  if (PEERS && !peers) log('Better Auth is not installed: npm install --prefix bench/peers (running ours only)');
  const servers: Server[] = [];
  try {
    const ours = await Server.start(join(here, 'http-server.js'), join(dir, 'ours'));
    servers.push(ours);
    log(`ours: setup (${LOGIN_USERS} login accounts, ${MFA_USERS} TOTP users with recovery codes)`);
    const setup = await oursSetup(ours);
    // the setup's security mails (enrolments, recovery codes) are sent before anything is measured
    await ours.ask({ settle: true }, 'settled');
    const idle = await idleCpu(ours);
    const { rows, hash, hashCpu, revokedNext } = await oursRows(ours, setup);
    const oursHash = hash[8] ?? 0;
    const oursHashCpu = hashCpu[8];
    const grown = await growth(ours, join(dir, 'ours'), setup);
    // BENCH_HEAP=<file>: a V8 heap snapshot of our server at the end, to see what holds its memory
    if (process.env.BENCH_HEAP) await ours.ask({ heap: process.env.BENCH_HEAP }, 'heap');
    const oursMem = await ours.ask<{ rss: number; memory: NodeJS.MemoryUsage }>({ rss: true }, 'rss');
    const oursRss = oursMem.rss;
    await ours.stop();

    const theirs: Record<string, Record<number, Row>> = {};
    let theirHash = 0;
    let theirHashCpu: Cpu | undefined;
    let theirIdle: Cpu | undefined;
    let theirRss = 0;
    if (peers) {
      const peer = await Server.start(peerEntry, dir);
      servers.push(peer);
      log(`Better Auth: setup`);
      await theirsRun(peer, theirs);
      // after the run: at start the server is still making the bare verifies' stored hash
      theirIdle = await idleCpu(peer);
      const h = await bareHash(peer, 32, 8);
      theirHash = h.rate;
      theirHashCpu = h.cpu;
      theirRss = (await peer.ask<{ rss: number }>({ rss: true }, 'rss')).rss;
      await peer.stop();
    }

    const names: Array<[string, string]> = [
      ['login', 'login (many accounts)'],
      ['refresh', 'refresh'],
      ['bare', 'baseline: public constant route (ours only)'],
      ['me', 'authenticated read (GET /me | get-session)'],
      ['totp', 'TOTP step-up verify'],
      ['recovery', 'recovery-code verify'],
    ];
    const lines: string[] = [];
    lines.push(`HTTP, embedded SQLite · node ${process.version} · ${cpus().length} CPU · ${cpus()[0]?.model.trim() ?? ''}`);
    lines.push(
      `${MFA_USERS} TOTP users, ${LOGIN_USERS} login accounts, ${REQUESTS} logins/refreshes per row, ${REQUESTS * 4} reads per row`,
    );
    const head = ['operation', 'clients', 'ours req/s', 'p50 ms', 'p99 ms', 'theirs req/s', 'p50 ms', 'p99 ms', 'ours/theirs'];
    const body: string[][] = [];
    for (const [key, label] of names)
      for (const c of [1, 8]) {
        const o = rows[key]?.[c];
        const t = theirs[key]?.[c];
        body.push([
          label,
          String(c),
          o ? f0(o.rps) : '—',
          o ? f1(o.p50) : '—',
          o ? f1(o.p99) : '—',
          t ? f0(t.rps) : '—',
          t ? f1(t.p50) : '—',
          t ? f1(t.p99) : '—',
          o && t ? `${(o.rps / t.rps).toFixed(2)}x` : '—',
        ]);
      }
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    lines.push(line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line));
    const errs = [...Object.values(rows), ...Object.values(theirs)].flatMap((r) => Object.values(r)).reduce((s, r) => s + r.errors, 0);
    lines.push(`non-2xx answers in measured rows: ${errs}`);
    // CPU per operation: the figure that holds on a loaded machine, where req/s swings with the neighbours
    const us = (n: number | null | undefined) => (n == null ? '—' : f0(n));
    const cpuHead = [
      'CPU µs per op',
      'clients',
      'ours main',
      'ours other',
      'load gen',
      'max/s',
      'theirs main',
      'theirs other',
      'load gen',
      'max/s',
      'ours/theirs',
    ];
    const cpuBody: string[][] = [];
    for (const [key, label] of names)
      for (const c of [1, 8]) {
        const o = rows[key]?.[c]?.cpu;
        const t = theirs[key]?.[c]?.cpu;
        if (!o && !t) continue;
        const om = ceiling(o);
        const tm = ceiling(t);
        cpuBody.push([
          label,
          String(c),
          us(o?.main),
          us(o?.other),
          us(o?.client),
          us(om),
          us(t?.main),
          us(t?.other),
          us(t?.client),
          us(tm),
          om != null && tm != null ? `${(om / tm).toFixed(2)}x` : '—',
        ]);
      }
    const cw = cpuHead.map((h, i) => Math.max(h.length, ...cpuBody.map((r) => r[i]!.length)));
    const cline = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(cw[i]!) : c.padStart(cw[i]!))).join('  ');
    lines.push(
      `CPU time per operation in µs (/proc/<pid>/task/*: server main thread = tid pid, other = every other thread: libuv pool, V8 GC helpers …; load gen = this process, process.cpuUsage)`,
      `  max/s = the rate these costs allow on ${cpus().length} cores to ourselves: min(cores / (main + other + load gen), 1 / main); ours/theirs of it holds under load`,
      cline(cpuHead),
      cline(cw.map((w) => '-'.repeat(w))),
      ...cpuBody.map(cline),
    );
    const ol = rows.login?.[8]?.rps ?? 0;
    lines.push(
      `bare hash, 8 parallel verifies (ours: mean of just before and just after the login row): ours argon2id ${f1(oursHash)}/s · login at 8 clients ${f1(ol)}/s = ${(ol / oursHash).toFixed(2)} of it` +
        (peers
          ? ` | Better Auth scrypt ${f1(theirHash)}/s · login at 8 clients ${f1(theirs.login?.[8]?.rps ?? 0)}/s = ${((theirs.login?.[8]?.rps ?? 0) / theirHash).toFixed(2)} of it`
          : ''),
    );
    lines.push(
      `  idle server, CPU µs per second (timers, pollers; part of every row's CPU per op, more of it at low rates): ours main ${us(idle.main)} · other ${us(idle.other)}` +
        (peers ? ` | Better Auth main ${us(theirIdle?.main)} · other ${us(theirIdle?.other)}` : ''),
    );
    lines.push(...loginCpuLines('ours argon2id', oursHashCpu, rows.login?.[8], ol / oursHash));
    if (peers)
      lines.push(...loginCpuLines('Better Auth scrypt', theirHashCpu, theirs.login?.[8], (theirs.login?.[8]?.rps ?? 0) / theirHash));
    if (rows.me && rows.bare)
      lines.push(
        `GET /me against the public constant route: ${CLIENTS.map((c) => `${c} client(s) ${((rows.me![c]?.rps ?? 0) / (rows.bare![c]?.rps ?? 1)).toFixed(2)}`).join(' · ')}`,
      );
    lines.push(`revocation: GET /me with the access token of a session revoked just before answers ${revokedNext}`);
    lines.push(`peak RSS of the server: ours ${f0(oursRss)} MB${peers ? ` · Better Auth ${f0(theirRss)} MB` : ''}`);
    const mb = (n: number) => f0(n / 1048576);
    const m = oursMem.memory;
    lines.push(
      `  ours at the end: rss ${mb(m.rss)} · V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)} · external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)}) MB; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2'}`,
    );
    if (grown) lines.push(...growthLines(grown));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const s of servers) if (s.child.connected) await s.stop();
    agent.destroy();
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      log(`could not remove ${dir}: ${String(err)}`);
    }
  }
}
