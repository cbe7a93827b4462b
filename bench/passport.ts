/**
 * `npm run bench -- passport`: the chain-passport read path (F02.09.09/.10) as history grows.
 *   (a) Visits over BENCH_PASSPORTS (10,000) passports and 20 venues, spread over the 24 months
 *       before "now", appended to the SQLite event store in batches and projected by the real
 *       ProjectionEngine (live subscription, as the server runs it) into the leaderboard and visit
 *       history projections, with pages of BENCH_PASSPORT_SEED_PAGE (10,000) events in one
 *       read-store transaction each (the server's live pages are 500 events; the projection code
 *       is the same, the larger pages commit the hot index pages once per 10,000 events); at each size of BENCH_PASSPORT_SIZES (10,000, 100,000, 1,000,000)
 *       BENCH_PASSPORT_READS (1,000) top-50 reads of each of alltime / year / month / venue+month
 *       through the same function the controller calls, and a newest-first history page of the
 *       busiest passport; p50/p99 per size and p99(largest)/p99(first size whose read returns a
 *       full page of 50: a smaller bucket does less work) (goal <= 1.5).
 *   (b) The real app (bench/http-server.ts) over HTTP: QR check-ins by 8 keep-alive clients
 *       (BENCH_CHECKIN_CLIENTS) over BENCH_CHECKIN_PLAYERS (100) passports and 2 venues, rounds of
 *       one check-in per passport with the server clock moved 11 minutes between rounds (a
 *       second scan within 10 minutes is no visit); check-ins/s, p50/p99 and the projection lag
 *       (events the passport projections are behind the head) sampled every 20 ms.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NewEvent } from '../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../src/eventstore/sqlite-event-store.js';
import { ProjectionEngine } from '../src/projections-runtime/projection-engine.js';
import { SqliteReadStore } from '../src/readstore/sqlite-read-store.js';
import { readLeaderboard } from '../src/passport/leaderboard-read.js';
import { chainPassportLeaderboardProjection, type Period } from '../projections/chain-passport-leaderboard.js';
import { chainPassportVisitsProjection } from '../projections/chain-passport-visits.js';

const list = (name: string, def: string) => (process.env[name] ?? def).split(',').map((s) => Number(s.replace(/_/g, '')));
const int = (name: string, def: number) => Number((process.env[name] ?? String(def)).replace(/_/g, ''));
const SIZES = list('BENCH_PASSPORT_SIZES', '10000,100000,1000000');
const PASSPORTS = int('BENCH_PASSPORTS', 10_000);
const VENUES = 20;
const READS = int('BENCH_PASSPORT_READS', 1000);
const CLIENTS = int('BENCH_CHECKIN_CLIENTS', 8);
const PLAYERS = int('BENCH_CHECKIN_PLAYERS', 100);
const ROUNDS = int('BENCH_CHECKIN_ROUNDS', 10);
const CHAIN = '00000000-0000-4000-8000-0000000c4a10';
const NOW = new Date('2026-06-15T12:00:00.000Z');
const MONTHS = 24;
const SEED_PAGE = int('BENCH_PASSPORT_SEED_PAGE', 10_000);
/** Rows per read: a board or history smaller than this is not comparable with a full one. */
const PAGE = 50;

const log = (msg: string) => process.stderr.write(`bench passport: ${msg}\n`);
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const venueId = (v: number) => `00000000-0000-4000-8000-${String(v).padStart(12, '0')}`;
const passportId = (n: number) => `BENCH-PASS-${String(n + 1).padStart(6, '0')}`;

/** Deterministic pseudo-random numbers (the same history every run). */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

function created(n: number): NewEvent {
  return {
    type: 'PassportCreated',
    data: {
      passport_id: passportId(n),
      number: n + 1,
      chain_id: CHAIN,
      user_id: `u${n}`,
      display_name: `Player ${n}`,
      created_at: new Date(NOW.getTime() - MONTHS * 30 * 86_400_000).toISOString(),
    },
  };
}

function visitEvent(i: number, r: () => number): NewEvent {
  // a skewed population: some passports visit far more often than others
  const n = Math.floor(PASSPORTS * r() ** 2);
  const checkIn = r() < 0.8;
  const at = new Date(NOW.getTime() - Math.floor(r() * MONTHS * 30 * 86_400_000));
  return {
    type: 'VisitRecorded',
    data: {
      visit_id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      passport_id: passportId(n),
      chain_id: CHAIN,
      user_id: `u${n}`,
      venue_id: venueId(Math.floor(r() * VENUES)),
      kind: checkIn ? 'check_in' : 'points',
      points_earned: checkIn ? 10 : 1 + Math.floor(r() * 100),
      reason: checkIn ? null : 'bench',
      visited_at: at.toISOString(),
      recorded_by: 'staff',
      total_games: 0,
      total_points: 0,
    },
  };
}

async function growth(dir: string) {
  const es = new SqliteEventStore(join(dir, 'events.sqlite'));
  const rs = new SqliteReadStore(join(dir, 'read.sqlite'));
  const projections = [chainPassportLeaderboardProjection, chainPassportVisitsProjection];
  const r = rng(42);
  let version = -1;
  const append = async (events: NewEvent[]) => {
    const res = await es.append('passport-bench', events, version === -1 ? 'no_stream' : version);
    version = res.version;
    return res.position;
  };
  for (let i = 0; i < PASSPORTS; i += 1000) await append(Array.from({ length: Math.min(1000, PASSPORTS - i) }, (_, k) => created(i + k)));
  /** items: rows the read returned (a full page is PAGE) */
  const rows: Array<{ size: number; kind: string; p50: number; p99: number; items: number }> = [];
  let have = 0;
  for (const size of SIZES) {
    const t0 = process.hrtime.bigint();
    const before = have;
    let head = 0;
    while (have < size) {
      const n = Math.min(1000, size - have);
      head = await append(Array.from({ length: n }, (_, k) => visitEvent(have + k, r)));
      have += n;
    }
    const appended = ms(t0);
    // the server's engine catches up from its checkpoints (live subscription), in large pages: a
    // profile of 500-event pages spent ~30% of the seeding in COMMIT (the leaderboard's index pages)
    const engine = new ProjectionEngine(es, rs, projections, { batchSize: SEED_PAGE, maxTxMs: 10_000 });
    await engine.start();
    if (!(await engine.waitFor(head, 3_600_000))) throw new Error('projection did not catch up');
    await engine.stop();
    const projected = ms(t0) - appended;
    log(
      `${size} visits: appended in ${(appended / 1000).toFixed(1)} s, projected in ${(projected / 1000).toFixed(1)} s (${Math.round(((size - before) / projected) * 1000)} ev/s)`,
    );
    const cases: Array<[string, Period, string | null]> = [
      ['top 50 alltime', 'alltime', null],
      ['top 50 year', 'year', null],
      ['top 50 month', 'month', null],
      ['top 50 venue+month', 'month', venueId(3)],
    ];
    for (const [kind, period, venue] of cases) {
      const lat: number[] = [];
      let items = 0;
      for (let i = 0; i < 20; i++)
        await readLeaderboard(rs, { chain_id: CHAIN, venue_id: venue, period, now: NOW, limit: PAGE, cursor: null });
      for (let i = 0; i < READS; i++) {
        const t = process.hrtime.bigint();
        const page = await readLeaderboard(rs, { chain_id: CHAIN, venue_id: venue, period, now: NOW, limit: PAGE, cursor: null });
        lat.push(ms(t));
        if (i === 0 && page.items.length === 0) throw new Error(`${kind}: empty board`);
        items = page.items.length;
      }
      rows.push({ size, kind, p50: pct(lat, 50), p99: pct(lat, 99), items });
    }
    const visits = rs.collection('chain_passport_visits');
    const history = () =>
      visits.find({
        where: { passport_id: passportId(0) },
        sort: [
          ['visited_at', 'desc'],
          ['id', 'desc'],
        ],
        limit: PAGE,
      });
    for (let i = 0; i < 20; i++) await history();
    const lat: number[] = [];
    let items = 0;
    for (let i = 0; i < READS; i++) {
      const t = process.hrtime.bigint();
      items = (await history()).items.length;
      lat.push(ms(t));
    }
    rows.push({ size, kind: 'history page (busiest passport)', p50: pct(lat, 50), p99: pct(lat, 99), items });
  }
  await rs.close();
  await es.close();
  return rows;
}

// ---------------------------------------------------------------- HTTP check-ins

interface Res {
  status: number;
  body: Record<string, unknown>;
}
async function call(port: number, method: string, path: string, body?: unknown, token?: string): Promise<Res> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'petanque-bench/1',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const ok = (r: Res, what: string) => {
  if (r.status < 200 || r.status > 299) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
};
const PASSWORD = 'the right password 123';

async function checkIns(dir: string) {
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'http-server.js');
  const child = fork(entry, [dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const waiting: Array<{ key: string; resolve: (v: Record<string, unknown>) => void }> = [];
  child.on('message', (m: Record<string, unknown>) => {
    const i = waiting.findIndex((w) => w.key in m);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m);
  });
  const ask = (msg: object, key: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.push({ key, resolve });
      if (Object.keys(msg).length) child.send(msg);
    });
  try {
    const port = (await ask({}, 'port')).port as number;
    const loginAs = async (email: string) =>
      ok(await call(port, 'POST', '/auth/login', { email, password: PASSWORD }), `login ${email}`).access_token as string;
    const op = await loginAs('admin@bench.test');
    const chain = ok(
      await call(
        port,
        'POST',
        '/admin/tenants/chain',
        {
          name: 'Bench chain',
          country: 'SE',
          chain_code: 'BENCH',
          admin: { email: 'chain@bench.test', display_name: 'Chain admin', password: PASSWORD },
        },
        op,
      ),
      'chain',
    ).chain_id as string;
    const chainAdmin = await loginAs('chain@bench.test');
    const venues: Array<{ id: string; email: string; token: string }> = [];
    for (const v of [1, 2]) {
      const email = `venue${v}@bench.test`;
      const id = ok(
        await call(
          port,
          'POST',
          '/sys/tenants',
          { name: `Venue ${v}`, tenant_type: 'VENUE', country: 'SE', admin: { email, display_name: `Venue ${v}`, password: PASSWORD } },
          op,
        ),
        'venue',
      ).tenant_id as string;
      ok(
        await call(port, 'POST', `/sys/tenants/${id}/tier/addons`, { subsystem_id: 'F02.09', reason: 'bench of the passports' }, op),
        'addon',
      );
      ok(await call(port, 'POST', `/chain/${chain}/add-venue`, { venue_tenant_id: id }, chainAdmin), 'invite');
      const token = await loginAs(email);
      ok(await call(port, 'POST', `/venue/${id}/accept-chain/${chain}`, undefined, token), 'accept');
      venues.push({ id, email, token });
    }
    log(`(b) ${PLAYERS} players with passports`);
    const passports: Array<{ id: string; qr: string }> = [];
    for (let i = 0; i < PLAYERS; i++) {
      const email = `player${i}@bench.test`;
      ok(
        await call(
          port,
          'POST',
          `/tenants/${chain}/members`,
          { email, display_name: `Player ${i}`, roles: ['member'], password: PASSWORD },
          chainAdmin,
        ),
        'member',
      );
      const token = await loginAs(email);
      const p = ok(await call(port, 'POST', '/chain/passports', { chain_id: chain }, token), 'passport');
      const qr = ok(await call(port, 'GET', `/chain/passports/${p.passport_id}/qr`, undefined, token), 'qr');
      passports.push({ id: p.passport_id as string, qr: qr.qr_token as string });
    }
    const lat: number[] = [];
    let lagMax = 0;
    const lags: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const l = (await ask({ lag: true }, 'lag')).lag as number;
        lags.push(l);
        lagMax = Math.max(lagMax, l);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let total = 0;
    let busy = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const venue = venues[round % venues.length]!;
      let next = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          for (let i = next++; i < passports.length; i = next++) {
            const t = process.hrtime.bigint();
            const r = await call(
              port,
              'POST',
              `/chain/passports/${passports[i]!.id}/check-in`,
              { venue_id: venue.id, qr_token: passports[i]!.qr },
              venue.token,
            );
            if (r.status !== 201) throw new Error(`check-in: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
            lat.push(ms(t));
          }
        }),
      );
      busy += ms(t0);
      total += passports.length;
      // the next round is a new visit: 11 minutes later; staff tokens are renewed
      await ask({ advance: 11 * 60_000 }, 'advanced');
      for (const v of venues) v.token = await loginAs(v.email);
    }
    sampling = false;
    await sampler;
    return { total, perSecond: total / (busy / 1000), p50: pct(lat, 50), p99: pct(lat, 99), lagMax, lagP50: pct(lags, 50) };
  } finally {
    child.disconnect();
    await new Promise((r) => child.once('exit', r));
  }
}

export async function passportBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plq-bench-passport-'));
  try {
    log(`(a) growth ${SIZES.join(', ')} visits over ${PASSPORTS} passports, ${VENUES} venues`);
    const rows = await growth(join(dir));
    const httpDir = join(dir, 'http');
    log('(b) check-ins over HTTP');
    const c = await checkIns(httpDir);
    const last = SIZES[SIZES.length - 1]!;
    const n = (x: number) => x.toLocaleString('en-US');
    const out = [
      `chain passports · SQLite · node ${process.version} · ${PASSPORTS} passports, ${VENUES} venues, ${READS} reads per row`,
      `${'read'.padEnd(34)}${SIZES.map((s) => `${n(s)} visits p50/p99 ms`.padStart(30)).join('')}   p99 ratio ${n(last)}/smallest size with a full page`,
    ];
    const partial: string[] = [];
    for (const kind of [...new Set(rows.map((r) => r.kind))]) {
      const by = SIZES.map((s) => rows.find((r) => r.kind === kind && r.size === s)!);
      // a read that returns fewer rows than a page does less work: the ratio starts at the first full page
      const base = by.find((r) => r.items >= PAGE);
      const ratio = base ? by[by.length - 1]!.p99 / base.p99 : NaN;
      const cells = by
        .map((r) => `${r.items < PAGE ? `(${r.items} rows) ` : ''}${r.p50.toFixed(3)} / ${r.p99.toFixed(3)}`.padStart(30))
        .join('');
      const verdict = !base
        ? '—  (no size with a full page)'
        : base === by[by.length - 1] && by.length > 1
          ? `—  (a full page only at ${n(base.size)})`
          : `${ratio.toFixed(2)}${base === by[0] ? '' : ` from ${n(base.size)}`}${ratio <= 1.5 ? '' : '  (goal <= 1.5 missed)'}`;
      out.push(`${kind.padEnd(34)}${cells}   ${verdict}`);
      if (base !== by[0]) partial.push(kind);
    }
    if (partial.length)
      out.push(
        `  (n rows): the read returned fewer than a page of ${PAGE} (a small bucket does less work); the ratio of ${partial.join(', ')} starts at the first size where the page is full`,
      );
    out.push(
      `check-ins over HTTP, ${CLIENTS} clients, ${c.total} check-ins: ${c.perSecond.toFixed(0)}/s · p50 ${c.p50.toFixed(1)} ms · p99 ${c.p99.toFixed(1)} ms · projection lag (events) median ${c.lagP50}, max ${c.lagMax}`,
      `peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
