/**
 * `npm run bench -- projections`: what each projection costs per hot-path event (a login appends
 * AttemptClaimed, AttemptSucceeded, SessionStarted; a TOTP step-up verify AttemptClaimed,
 * TotpCodeAccepted, AttemptSucceeded, SessionMfaSatisfied), through the real ProjectionEngine on a
 * temp SQLite read store, in one process. CPU time is process.cpuUsage (user+system) around each
 * applyBatch call; the projections take turns in rotated order, page by page, and each is compared
 * with a projection that handles the same types and writes nothing (its transaction, checkpoint
 * read and write), so a row is the projection's own work, its document writes at commit included.
 *   - per projection: µs CPU per handled event beyond the no-op, document writes per event (calls
 *     of upsert/patch/delete) and rows changed at commit (SQLite total_changes, checkpoints left out);
 *   Each page is applied as the live subscription applies it: one transaction with the projections
 *   that have events in it (the others' checkpoints move later, see ProjectionEngine.applyLive).
 * Env: BENCH_LOGINS (login+verify pairs per round, default 2,000), BENCH_ROUNDS (default 3),
 * BENCH_PAGE (events per page, default 1: one client's appends each come as their own page).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../src/eventstore/sqlite-event-store.js';
import { ProjectionEngine } from '../src/projections-runtime/projection-engine.js';
import { defineProjection, type ProjectionDefinition } from '../src/projections-runtime/projection.js';
import type { Collection, Doc, ReadStoreTx } from '../src/readstore/read-store.port.js';
import { SqliteReadStore } from '../src/readstore/sqlite-read-store.js';
import { ALL_PROJECTIONS } from '../projections/registry.js';
import { deviceKey, parseDevice } from '../src/shared/device.js';

const int = (name: string, def: number) => Number(process.env[name] ?? def);
const LOGINS = int('BENCH_LOGINS', 2000);
const ROUNDS = int('BENCH_ROUNDS', 3);
const PAGE = int('BENCH_PAGE', 1);
const USERS = 500;
const TENANT = '10000000-0000-4000-8000-000000000001';
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const HOT = ['AttemptClaimed', 'AttemptSucceeded', 'SessionStarted', 'TotpCodeAccepted', 'SessionMfaSatisfied'];

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** 1,000 public addresses: after the first round every lookup is a repeat, as for returning users. */
const ipOf = (i: number) => `81.${i % 10}.${Math.floor(i / 10) % 100}.7`;
const uid = (i: number) => `00000000-0000-4000-8000-${String(i % USERS).padStart(12, '0')}`;

let position = 0;
let clock = Date.parse('2026-01-01T00:00:00Z');
function ev(type: string, stream: string, data: Record<string, unknown>, user: string, i: number): StoredEvent {
  position++;
  clock += 7;
  return {
    id: `e0000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    stream,
    version: 0,
    position,
    occurred_at: new Date(clock).toISOString(),
    data,
    metadata: {
      actor_id: user,
      tenant_id: TENANT,
      correlation_id: `c-${position}`,
      ip: ipOf(i),
      user_agent: UAS[i % UAS.length],
      prev_hash: 'a'.repeat(64),
      hash: 'b'.repeat(64),
    },
    schema_version: 1,
  };
}

/** One login then one TOTP step-up verify of its session, shaped as the app appends them. */
function loginAndVerify(i: number): StoredEvent[] {
  const user = uid(i);
  const at = new Date(clock).toISOString();
  const login = { key: `login:${user}`, scope: 'login', user_id: user, factor: null };
  const totp = { key: `totp:${user}`, scope: 'mfa', user_id: user, factor: 'totp' };
  const device = parseDevice(UAS[i % UAS.length]);
  const session = `50000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return [
    ev('AttemptClaimed', `bf-${user}`, { ...login, at }, user, i),
    ev('AttemptSucceeded', `bf-${user}`, { ...login, previous_failures: 0 }, user, i),
    ev(
      'SessionStarted',
      `session-${session}`,
      {
        session_id: session,
        user_id: user,
        tenant_id: TENANT,
        refresh_hash: 'c'.repeat(64),
        method: 'password',
        amr: ['pwd'],
        auth_time: at,
        mfa_at: null,
        mfa_method: null,
        ip: ipOf(i),
        device,
        device_key: deviceKey(device),
        location: { country: 'SE', city: 'Stockholm' },
        new_device: i < USERS,
        idle_expires_at: at,
        absolute_expires_at: at,
      },
      user,
      i,
    ),
    ev('AttemptClaimed', `bf-totp-${user}`, { ...totp, at }, user, i),
    ev('TotpCodeAccepted', `totp-${user}`, { user_id: user, step: 59_000_000 + i }, user, i),
    ev('AttemptSucceeded', `bf-totp-${user}`, { ...totp, previous_failures: 0 }, user, i),
    ev(
      'SessionMfaSatisfied',
      `session-${session}`,
      { session_id: session, user_id: user, method: 'totp', amr: ['pwd', 'otp', 'mfa'], mfa_at: at },
      user,
      i,
    ),
  ];
}

/** The projection with its document writes counted and the CPU inside its apply (its writes are map operations until commit). */
function counted(p: ProjectionDefinition, stats: { calls: number; applyUs: number }): ProjectionDefinition {
  const wrap = (tx: ReadStoreTx): ReadStoreTx => ({
    getCheckpoint: (n) => tx.getCheckpoint(n),
    setCheckpoint: (n, pos) => tx.setCheckpoint(n, pos),
    dropCollection: (n) => tx.dropCollection(n),
    collection: <T extends Doc = Doc>(name: string): Collection<T> => {
      const c = tx.collection<T>(name);
      const count =
        <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
        (...a: A) => (stats.calls++, f.apply(c, a));
      return {
        name: c.name,
        get: c.get.bind(c),
        find: c.find.bind(c),
        count: c.count.bind(c),
        upsert: count(c.upsert),
        patch: count(c.patch),
        delete: count(c.delete),
        deleteWhere: count(c.deleteWhere),
      };
    },
  });
  return {
    ...p,
    apply: async (e, tx) => {
      const t = cpu();
      await p.apply(e, wrap(tx));
      stats.applyUs += cpu() - t;
    },
  };
}

/** An engine on its own store: every projection, those left out reduced to their checkpoint. */
interface Variant {
  label: string;
  store: SqliteReadStore;
  engine: ProjectionEngine;
  defs: ProjectionDefinition[];
  /** CPU µs and rows written, per round. */
  us: number[];
  rows: number[];
}

export async function projectionsBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plq-bench-proj-'));
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const variants: Variant[] = [];
  try {
    const hot = ALL_PROJECTIONS.filter((p) => p.handles.some((t) => HOT.includes(t)));
    log(`projections handling ${HOT.join(', ')}: ${hot.map((p) => p.name).join(', ')}`);
    const stats = new Map(hot.map((p) => [p.name, { calls: 0, applyUs: 0, handled: 0 }]));
    const idle = (p: ProjectionDefinition) => defineProjection({ ...p, handles: [] });
    const make = (label: string, without: string[], count = false) => {
      const store = new SqliteReadStore(join(dir, `read-${variants.length}.sqlite`));
      const defs = ALL_PROJECTIONS.map((p) =>
        without.includes(p.name) ? idle(p) : count && stats.has(p.name) ? counted(p, stats.get(p.name)!) : p,
      );
      variants.push({ label, store, engine: new ProjectionEngine(events, store, defs), defs, us: [], rows: [] });
    };
    make('all projections', []);
    make('all projections, hot ones instrumented', [], true);
    for (const p of hot) make(`all but ${p.name}`, [p.name]);
    make(
      `none of the ${hot.length}`,
      hot.map((p) => p.name),
    );
    // the factors the verifies patch exist, as they do for every enrolled user
    const seed: StoredEvent[] = [];
    for (let u = 0; u < USERS; u++)
      seed.push(ev('MfaEnrolled', `totp-${uid(u)}`, { user_id: uid(u), method: 'totp', accepted_step: 1, replaced: false }, uid(u), u));
    for (const v of variants) {
      await v.engine.prepare();
      await v.engine.applyBatch(seed, 0);
    }
    for (const s of stats.values()) Object.assign(s, { calls: 0, applyUs: 0 });
    const changes = (v: Variant) => (v.store.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    let i = 0;
    let pages = 0;
    let total = 0;
    let firstRound = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of variants) {
        v.us.push(0);
        v.rows.push(0);
      }
      const all: StoredEvent[] = [];
      for (let n = 0; n < LOGINS; n++) all.push(...loginAndVerify(i++));
      for (const e of all) for (const p of hot) if (p.handles.includes(e.type)) stats.get(p.name)!.handled++;
      total += all.length;
      if (round === 0) firstRound = all.length;
      for (let k = 0; k < all.length; k += PAGE, pages++) {
        const page = all.slice(k, k + PAGE);
        const turn = pages % variants.length;
        for (const v of [...variants.slice(turn), ...variants.slice(0, turn)]) {
          // the live subscription's path (private): one transaction with the projections that have events in the page
          const c0 = changes(v);
          const t = cpu();
          const touched = v.defs.filter((p) => page.some((e) => p.handles.includes(e.type)));
          await (v.engine as unknown as { applyLive(b: StoredEvent[], after: number): Promise<void> }).applyLive(
            page,
            page[0]!.position - 1,
          );
          v.us[round]! += cpu() - t;
          v.rows[round]! += changes(v) - c0 - touched.length; // less the checkpoints
        }
      }
      log(`round ${round + 1}/${ROUNDS} done`);
    }
    const f = (x: number) => x.toFixed(1);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const cold = (v: Variant) => v.us[0]! / firstRound;
    const warm = (v: Variant) => (ROUNDS > 1 ? sum(v.us.slice(1)) / (total - firstRound) : NaN);
    const [base] = variants;
    const lines = [
      `${total} hot events (${ROUNDS} rounds of ${LOGINS} login + TOTP verify), pages of ${PAGE}; µs = process.cpuUsage per event;`,
      `round 1 is cold (every ip and user agent new to the memos), later rounds warm (the same 1,000 ips again)`,
      '',
      '| engine variant | µs CPU per event, round 1 | µs CPU per event, later rounds | rows written per event (checkpoints left out) |',
      '|---|---|---|---|',
      ...variants.map((v) => `| ${v.label} | ${f(cold(v))} | ${f(warm(v))} | ${(sum(v.rows) / total).toFixed(2)} |`),
      '',
      '| projection | handled events | µs CPU per handled event (all - all but it), round 1 / later | inside apply, µs CPU per handled event (all rounds) | doc writes per handled event |',
      '|---|---|---|---|---|',
      ...hot.map((p, j) => {
        const s = stats.get(p.name)!;
        const without = variants[j + 2]!;
        const share = s.handled / total;
        return `| ${p.name} | ${s.handled} | ${f((cold(base!) - cold(without)) / share)} / ${f((warm(base!) - warm(without)) / share)} | ${f(s.applyUs / s.handled)} | ${(s.calls / s.handled).toFixed(2)} |`;
      }),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    for (const v of variants) await v.store.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
