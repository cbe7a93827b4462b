/**
 * `npm run bench -- append`: what one hot-path append costs the main thread of the embedded event
 * store, A/B in one process, interleaved rounds (the machine is shared: compare the columns of
 * one run, not runs). CPU time is process.cpuUsage (user+system) per operation.
 *   (a) one append + the page read of each of 4 subscriptions right after it (the projection
 *       engine and 3 reactors do this for every append): the in-memory tail vs SQL only;
 *   (b) the parts of a one-event append, each alone (bench/append-parts.ts);
 *   (c) a TOTP verify's 4 appends through the sealing store, one seal per request vs per event
 *       (bench/append-sealed.ts).
 * Env: BENCH_OPS (operations per round, default 2,000), BENCH_ROUNDS (default 5).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../src/eventstore/sqlite-event-store.js';
import { appendParts } from './append-parts.js';
import { sealedAppends } from './append-sealed.js';

const OPS = Number(process.env.BENCH_OPS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SUBSCRIBERS = 4;

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** An event shaped like the TOTP verify's (ids, a sealed ip and user agent in the metadata). */
function verifyEvent(i: number): NewEvent {
  const user = `00000000-0000-4000-8000-${String(i % 500).padStart(12, '0')}`;
  return {
    type: ['AttemptClaimed', 'TotpCodeAccepted', 'AttemptSucceeded', 'SessionMfaSatisfied'][i % 4]!,
    data: { user_id: user, session_id: `s-${i % 977}`, method: 'totp', step: 59_000_000 + i, amr: ['pwd', 'otp', 'mfa'] },
    metadata: {
      actor_id: user,
      tenant_id: 't-bench',
      correlation_id: `c-${i}`,
      ip: `sealed:v1:${user}:${'x'.repeat(48)}`,
      user_agent: `sealed:v1:${user}:${'y'.repeat(96)}`,
    },
  };
}

interface Case {
  name: string;
  store: SqliteEventStore;
  checkpoints: number[];
  n: number;
  cpu: number;
  readCpu: number;
}

async function round(c: Case): Promise<void> {
  const t0 = cpuMicros();
  let reads = 0;
  for (let i = 0; i < OPS; i++, c.n++) {
    await c.store.append(`mfa-${c.n % 100}`, [verifyEvent(c.n)], 'any');
    const r0 = cpuMicros();
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const page = await c.store.readAll({ from: c.checkpoints[s]!, limit: 500 });
      c.checkpoints[s] = page[page.length - 1]!.position;
    }
    reads += cpuMicros() - r0;
  }
  c.cpu += cpuMicros() - t0;
  c.readCpu += reads;
}

export async function appendBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plq-append-'));
  try {
    const open = (name: string, tailSize?: number): Case => {
      const store = new SqliteEventStore(join(dir, `${name}.sqlite`), () => new Date(), 100, tailSize);
      return { name, store, checkpoints: new Array<number>(SUBSCRIBERS).fill(0), n: 0, cpu: 0, readCpu: 0 };
    };
    const tail = [open('tail'), open('sql only', 0)];
    for (let r = 0; r < ROUNDS; r++) {
      log(`(a) round ${r + 1}/${ROUNDS}`);
      for (const c of r % 2 ? [...tail].reverse() : tail) await round(c);
    }
    const out = [`(a) 1 append + ${SUBSCRIBERS} subscription page reads, ${ROUNDS} interleaved rounds of ${OPS} (CPU µs per append)`];
    for (const c of tail) {
      const total = c.cpu / c.n;
      const read = c.readCpu / c.n / SUBSCRIBERS;
      out.push(`    ${c.name.padEnd(10)} total ${total.toFixed(1)} µs · per page read ${read.toFixed(1)} µs`);
    }
    for (const c of tail) await c.store.close();
    out.push(...appendParts(dir, verifyEvent, ROUNDS));
    log('(c) sealed appends');
    out.push(...(await sealedAppends(dir, ROUNDS)));
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
