/**
 * `npm run bench`: embedded-store throughput beside raw better-sqlite3 at the same durability
 * (WAL, synchronous=NORMAL), in one run:
 *   (a) appends through SqliteEventStore, one event per append and 100 per append, beside raw
 *       INSERTs of the very same rows, one per transaction and 100 per transaction;
 *   (b) ProjectionEngine.rebuild over BENCH_EVENTS (default 1,000,000) events with a counting
 *       projection, beside a raw SELECT ... ORDER BY position + JSON.parse of the same rows;
 *   (c) peak RSS.
 * Env: BENCH_EVENTS (rebuild size), BENCH_APPENDS (single-append count, default 20,000),
 * BENCH_DIR (keep the files there instead of a temp dir that is removed).
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../src/eventstore/event-store.port.js';
import { verify as argon2Verify } from '@node-rs/argon2';
import { SqliteEventStore, type EventRow } from '../src/eventstore/sqlite-event-store.js';
import { hashPassword, verifyPassword } from '../src/identity/users/password.js';
import { ProjectionEngine } from '../src/projections-runtime/projection-engine.js';
import { sessionsProjection } from '../projections/sessions.js';
import { defineProjection } from '../src/projections-runtime/projection.js';
import { SqliteReadStore } from '../src/readstore/sqlite-read-store.js';
import { openSqlite } from '../src/shared/sqlite.js';

const int = (name: string, def: number): number => {
  const raw = process.env[name];
  const n = raw ? Number(raw.replace(/_/g, '')) : def;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
};
const REBUILD_EVENTS = int('BENCH_EVENTS', 1_000_000);
const SINGLE_APPENDS = int('BENCH_APPENDS', 20_000);
const BATCH = 100;
const BATCHED_EVENTS = Math.max(BATCH, Math.min(100_000, REBUILD_EVENTS));
const PLAYERS = 1000;

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

function visit(i: number): NewEvent {
  return {
    type: 'VisitRecorded',
    data: { player_id: `p${i % PLAYERS}`, venue_id: `v${i % 37}`, points: i % 7, note: 'bench' },
    metadata: { actor_id: `p${i % PLAYERS}`, tenant_id: 't-bench', correlation_id: `c-${i}` },
  };
}

/** Our store: `count` events in appends of `perAppend`, round-robin over 100 streams with exact expected versions. */
async function appendOurs(file: string, count: number, perAppend: number, setupOnly = false): Promise<number> {
  const es = new SqliteEventStore(file);
  // setup data for the rebuild is not measured: skip the WAL checkpoint fsyncs while writing it
  if (setupOnly) es.database.pragma('synchronous = OFF');
  const versions = new Map<string, number>();
  const t0 = process.hrtime.bigint();
  for (let i = 0, n = 0; i < count; i += perAppend, n++) {
    const stream = `player-${n % 100}`;
    const events: NewEvent[] = [];
    for (let j = i; j < Math.min(count, i + perAppend); j++) events.push(visit(j));
    const res = await es.append(stream, events, versions.get(stream) ?? 'no_stream');
    versions.set(stream, res.version);
  }
  const secs = seconds(t0);
  await es.close();
  return count / secs;
}

/** Raw better-sqlite3: the same table, the same rows (read back from our file), `perTx` rows per transaction. */
function appendRaw(sourceFile: string, file: string, perTx: number): number {
  const src = new Database(sourceFile, { readonly: true });
  const rows = src.prepare<[], EventRow>('SELECT * FROM events ORDER BY position').all();
  src.close();
  // same schema as SqliteEventStore, same pragmas as every embedded store
  new SqliteEventStore(file).close();
  const db = openSqlite(file);
  const insert = db.prepare(
    `INSERT INTO events (id, stream, version, type, occurred_at, data, metadata, schema_version)
     VALUES (@id, @stream, @version, @type, @occurred_at, @data, @metadata, @schema_version)`,
  );
  const tx = db.transaction((batch: EventRow[]) => {
    for (const r of batch) insert.run({ ...r, position: undefined });
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += perTx) tx.immediate(rows.slice(i, i + perTx));
  const secs = seconds(t0);
  db.close();
  return rows.length / secs;
}

/**
 * The rebuild's input (not measured): a seed of up to 50,000 events appended through our store
 * (real hash chains), then copied in SQL under new ids and stream names until BENCH_EVENTS rows
 * exist. Rows keep the size and shape of real ones; only the copies' chains are not valid, which
 * a rebuild never checks. Hashing a million events one by one would dominate the run.
 */
async function prepareRebuildLog(
  file: string,
  seedWith: (file: string, seed: number) => Promise<unknown> = (f, n) => appendOurs(f, n, 1000, true),
): Promise<void> {
  const seed = Math.min(REBUILD_EVENTS, 50_000);
  await seedWith(file, seed);
  const db = openSqlite(file);
  db.pragma('synchronous = OFF');
  const copy = db.prepare<[string, string, number]>(
    `INSERT INTO events (id, stream, version, type, occurred_at, data, metadata, schema_version)
     SELECT id || ?, stream || ?, version, type, occurred_at, data, metadata, schema_version
     FROM events WHERE position <= ${seed} ORDER BY position LIMIT ?`,
  );
  for (let k = 1, have = seed; have < REBUILD_EVENTS; k++) {
    const n = Math.min(seed, REBUILD_EVENTS - have);
    db.transaction(() => copy.run(`-${k}`, `~${k}`, n))();
    have += n;
  }
  db.pragma('synchronous = NORMAL');
  db.close();
}

/**
 * A real projection's input: sessions as the app writes them (each started, rotated 8 times,
 * its MFA satisfied once, every tenth revoked), through our store with real hash chains.
 */
async function appendSessions(file: string, count: number): Promise<void> {
  const es = new SqliteEventStore(file);
  es.database.pragma('synchronous = OFF');
  const at = '2026-03-02T08:00:00.000Z';
  let n = 0;
  for (let s = 0; n < count; s++) {
    const session_id = `00000000-0000-4000-8000-${String(s).padStart(12, '0')}`;
    const base = { session_id, user_id: `u${s % 500}` };
    const events: NewEvent[] = [
      {
        type: 'SessionStarted',
        data: {
          ...base,
          tenant_id: 't-bench',
          refresh_hash: `h${s}`,
          method: 'password',
          amr: ['pwd'],
          auth_time: at,
          mfa_at: null,
          ip: '192.0.2.1',
          device: { browser: 'Firefox', os: 'Windows', type: 'desktop' },
          device_key: 'Firefox|Windows|desktop',
          location: null,
          new_device: false,
          idle_expires_at: at,
          absolute_expires_at: at,
        },
        metadata: { ip: '192.0.2.1', tenant_id: 't-bench' },
      },
    ];
    for (let g = 1; g <= 8; g++)
      events.push({
        type: 'RefreshTokenRotated',
        data: { ...base, generation: g, refresh_hash: `h${s}-${g}`, idle_expires_at: at, at },
        metadata: { ip: '192.0.2.1' },
      });
    events.push({ type: 'SessionMfaSatisfied', data: { ...base, method: 'totp', amr: ['otp', 'mfa'], mfa_at: at } });
    if (s % 10 === 0) events.push({ type: 'SessionRevoked', data: { ...base, reason: 'logout', by: base.user_id } });
    const take = events.slice(0, count - n);
    await es.append(`session-${session_id}`, take, 'no_stream');
    n += take.length;
  }
  await es.close();
}

const counting = defineProjection({
  name: 'bench_visits',
  collections: [{ name: 'bench_visits' }],
  handles: ['VisitRecorded'],
  async apply(e, tx) {
    const d = e.data as { player_id: string; points: number };
    await tx.collection('bench_visits').patch(d.player_id, { inc: { visits: 1, points: d.points } }, { upsert: true });
  },
});
const passive = defineProjection({ name: 'bench_passive', collections: [], handles: [], apply: async () => undefined });

async function rebuild(eventsFile: string, readFile: string, name: string): Promise<number> {
  const es = new SqliteEventStore(eventsFile);
  const rs = new SqliteReadStore(readFile);
  const engine = new ProjectionEngine(es, rs, [counting, passive, sessionsProjection]);
  await engine.prepare();
  const t0 = process.hrtime.bigint();
  const count = await engine.rebuild(name);
  const secs = seconds(t0);
  if (name === 'bench_visits') {
    const total = (await rs.collection('bench_visits').find({ limit: PLAYERS })).items.reduce((s, d) => s + (d.visits as number), 0);
    if (total !== REBUILD_EVENTS) throw new Error(`rebuild counted ${total} visits, expected ${REBUILD_EVENTS}`);
  }
  await rs.close();
  await es.close();
  return count / secs;
}

function rawRead(eventsFile: string): number {
  const db = openSqlite(eventsFile);
  const visits = new Map<string, number>();
  const t0 = process.hrtime.bigint();
  let n = 0;
  for (const r of db.prepare<[], EventRow>('SELECT * FROM events ORDER BY position').iterate()) {
    const data = JSON.parse(r.data) as { player_id: string };
    JSON.parse(r.metadata);
    visits.set(data.player_id, (visits.get(data.player_id) ?? 0) + 1);
    n++;
  }
  const secs = seconds(t0);
  db.close();
  if (n !== REBUILD_EVENTS) throw new Error(`raw read saw ${n} rows`);
  return n / secs;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * (c) What a login's password check costs on each path, beside the bare argon2id verify:
 * an unknown e-mail must cost the same as a wrong password (no timing oracle).
 */
async function passwordPaths(): Promise<string[]> {
  const N = Number(process.env.BENCH_PASSWORDS ?? 30);
  const stored = await hashPassword('the right password 123');
  const time = async (fn: () => Promise<unknown>) => {
    await fn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await fn();
    return (seconds(t0) * 1000) / N;
  };
  const bare = await time(() => argon2Verify(stored, 'a wrong password 123'));
  const wrong = await time(() => verifyPassword(stored, 'a wrong password 123'));
  const unknown = await time(() => verifyPassword(null, 'a wrong password 123'));
  return [
    `password check (argon2id m=19 MiB t=2 p=1), ${N} each: bare verify ${bare.toFixed(1)} ms · wrong password ${wrong.toFixed(1)} ms (${(wrong / bare).toFixed(2)}x) · unknown e-mail ${unknown.toFixed(1)} ms (${(unknown / wrong).toFixed(2)}x of wrong password)`,
  ];
}

async function main(): Promise<void> {
  const keep = process.env.BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'plq-bench-'));
  if (keep) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const rows: Array<[string, number, number, number]> = [];
  let passwords: string[] = [];
  try {
    log('(c) password check paths');
    passwords = await passwordPaths();
    log(`(a) ${SINGLE_APPENDS} single-event appends`);
    const ours1 = await appendOurs(join(dir, 'single.sqlite'), SINGLE_APPENDS, 1);
    const raw1 = appendRaw(join(dir, 'single.sqlite'), join(dir, 'single-raw.sqlite'), 1);
    rows.push(['append, 1 event per append (1 row/tx raw)', SINGLE_APPENDS, ours1, raw1]);

    log(`(a) ${BATCHED_EVENTS} events in appends of ${BATCH}`);
    const oursB = await appendOurs(join(dir, 'batched.sqlite'), BATCHED_EVENTS, BATCH);
    const rawB = appendRaw(join(dir, 'batched.sqlite'), join(dir, 'batched-raw.sqlite'), BATCH);
    rows.push([`append, ${BATCH} events per append (${BATCH} rows/tx raw)`, BATCHED_EVENTS, oursB, rawB]);

    log(`(b) preparing ${REBUILD_EVENTS} events for the rebuild`);
    const t0 = process.hrtime.bigint();
    await prepareRebuildLog(join(dir, 'events.sqlite'));
    log(`    prepared in ${seconds(t0).toFixed(1)} s; rebuilding`);
    const rawRate = rawRead(join(dir, 'events.sqlite'));
    const countRate = await rebuild(join(dir, 'events.sqlite'), join(dir, 'read.sqlite'), 'bench_visits');
    rows.push(['rebuild, counting projection (raw: read+parse)', REBUILD_EVENTS, countRate, rawRate]);
    const passiveRate = await rebuild(join(dir, 'events.sqlite'), join(dir, 'read.sqlite'), 'bench_passive');
    rows.push(['rebuild, projection handling no event type', REBUILD_EVENTS, passiveRate, rawRate]);

    log(`(b) preparing ${REBUILD_EVENTS} session events for the sessions projection`);
    await prepareRebuildLog(join(dir, 'sessions.sqlite'), appendSessions);
    const rawSessions = rawRead(join(dir, 'sessions.sqlite'));
    const sessionsRate = await rebuild(join(dir, 'sessions.sqlite'), join(dir, 'read-sessions.sqlite'), 'sessions');
    rows.push(['rebuild, sessions projection (real; raw: read+parse)', REBUILD_EVENTS, sessionsRate, rawSessions]);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }

  const head = ['benchmark', 'events', 'ours ev/s', 'raw ev/s', 'ours/raw'];
  const body = rows.map(([name, n, ours, raw]) => [name, fmt(n), fmt(ours), fmt(raw), (ours / raw).toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `SQLite (better-sqlite3, WAL, synchronous=NORMAL) · node ${process.version} · ${cpus().length} CPU · ${cpus()[0]?.model.trim() ?? ''}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...passwords,
    `peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

const modes: Record<string, () => Promise<void>> = {
  http: () => import('./http.js').then((m) => m.httpBench()),
  append: () => import('./append.js').then((m) => m.appendBench()),
  passport: () => import('./passport.js').then((m) => m.passportBench()),
  vault: () => import('./vault.js').then((m) => m.vaultBench()),
  projections: () => import('./projections.js').then((m) => m.projectionsBench()),
};
(modes[process.argv[2] ?? ''] ?? main)().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
