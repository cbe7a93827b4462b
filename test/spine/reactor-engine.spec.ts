/**
 * ReactorEngine on the real embedded stores. It claims a page (one read-store transaction that
 * moves the reactor's checkpoint) only when the page holds something the reactor reacts to, so a
 * page whose reaction fails part-way is delivered again from its start: every event is reacted
 * to, an event handled before the failure comes again (which is why `react` keys its effect by
 * event id). Pages with nothing for a reactor cost it no transaction and no read of its own (one
 * shared subscription); its checkpoint moves over them later (coalesced). What must hold: a crash
 * or restart neither skips nor repeats an effect, a failing reactor holds back only itself and its
 * checkpoint never passes what it failed on, and waitFor resolves past pages nobody handles.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, StoredEvent, SubscribeOptions } from '../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ReactorEngine } from '../../src/projections-runtime/reactor-engine.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plq-reactor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (at = dir) => ({
  events: new SqliteEventStore(join(at, 'events.sqlite')),
  reads: new SqliteReadStore(join(at, 'read.sqlite')),
});
type Stores = ReturnType<typeof open>;
const close = async (s: Stores) => {
  await s.events.close();
  await s.reads.close();
};

/**
 * What a crash at this moment leaves on disk: the files as they are, WAL included (copied in one
 * synchronous step, so no commit is half-way; SQLite rebuilds the -shm index from the WAL).
 */
function crashCopy(): string {
  const to = mkdtempSync(join(tmpdir(), 'plq-reactor-crash-'));
  for (const f of readdirSync(dir)) if (!f.endsWith('-shm')) cpSync(join(dir, f), join(to, f));
  return to;
}

/** Counts calls of a method of a real store instance (the call itself goes through unchanged). */
function countCalls<T extends object>(target: T, method: keyof T & string): { n: number } {
  const counter = { n: 0 };
  const real = (target[method] as (...args: unknown[]) => unknown).bind(target);
  (target as Record<string, unknown>)[method] = (...args: unknown[]) => (counter.n++, real(...args));
  return counter;
}

const checkpoints = async (s: Stores) => s.reads.listCheckpoints();
const append = async (s: Stores, stream: string, types: string[], data: Record<string, unknown> = {}) =>
  (
    await s.events.append(
      stream,
      types.map((type, i) => ({ type, data: { ...data, i } })),
      'no_stream',
    )
  ).position;

/** Polls a condition the test cannot await directly (a reactor's effect), up to a generous bound. */
async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`never: ${what}`);
}

it('a page that fails part-way is delivered again from its start; the checkpoint ends at its last event; a restart repeats nothing', async () => {
  let s = open();
  const seen: number[] = [];
  let failOnce = true;
  const reactor = {
    name: 'probe',
    handles: ['Handled'],
    react: async (e: StoredEvent) => {
      if (e.data.n === 3 && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
      seen.push(e.data.n as number);
    },
  };
  let engine = new ReactorEngine(s.events, s.reads, [reactor]);
  await engine.start(); // a new reactor starts at the head (empty store: 0)
  // one page: the appends of one turn of the loop; Ignored events are passed over but counted
  const appended = await Promise.all(
    [1, 2, 3, 4, 5].map((n) => s.events.append(`probe-${n}`, [{ type: n === 4 ? 'Ignored' : 'Handled', data: { n } }], 'no_stream')),
  );
  const last = Math.max(...appended.map((a) => a.position));
  expect(await engine.waitFor(last, 10_000)).toBe(true);
  // 1 and 2 were reacted to before 3 failed, and again with the page's redelivery
  expect(seen).toEqual([1, 2, 1, 2, 3, 5]);
  expect((await s.reads.listCheckpoints())['reactor:probe']).toBe(last);
  await engine.stop();
  await s.events.close();
  await s.reads.close();

  s = open();
  engine = new ReactorEngine(s.events, s.reads, [reactor]);
  await engine.start();
  const next = await s.events.append('probe-6', [{ type: 'Handled', data: { n: 6 } }], 'no_stream');
  expect(await engine.waitFor(next.position, 10_000)).toBe(true);
  expect(seen).toEqual([1, 2, 1, 2, 3, 5, 6]);
  await engine.stop();
  await s.events.close();
  await s.reads.close();
}, 30_000);

it('a page with nothing a reactor reacts to costs it no transaction and no read of its own; waitFor still passes it', async () => {
  const s = open();
  const seen: string[] = [];
  const reactor = (name: string, type: string, wants?: (e: StoredEvent) => boolean) => ({
    name,
    handles: [type],
    wants,
    react: async (e: StoredEvent) => void seen.push(`${name}:${e.type}`),
  });
  // `c` handles type C but wants only the ones that mail (as security-notifications with a known-device login)
  const engine = new ReactorEngine(s.events, s.reads, [
    reactor('a', 'A'),
    reactor('b', 'B'),
    reactor('c', 'C', (e) => e.data.mail === true),
  ]);
  await engine.start();
  await engine.waitFor(0);
  const txs = countCalls(s.reads, 'transaction');
  const reads = countCalls(s.events, 'readAll');

  const quiet = await append(s, 'quiet', ['Ignored', 'C', 'Ignored'], { mail: false });
  expect(await engine.waitFor(quiet, 10_000)).toBe(true);
  expect(txs.n).toBe(0); // no claim by any of the three
  expect(reads.n).toBe(1); // one read of the page for all three (three subscriptions read it three times)
  expect(await checkpoints(s)).toEqual({ 'reactor:a': 0, 'reactor:b': 0, 'reactor:c': 0 }); // coalesced

  const forA = await append(s, 'for-a', ['A', 'Ignored']);
  expect(await engine.waitFor(forA, 10_000)).toBe(true);
  expect(txs.n).toBe(1); // a's claim only
  expect(seen).toEqual(['a:A']);
  // the claim moved a's checkpoint past the quiet page too; b and c wait for the next write
  expect(await checkpoints(s)).toEqual({ 'reactor:a': forA, 'reactor:b': 0, 'reactor:c': 0 });

  await engine.stop(); // writes the coalesced moves
  expect(await checkpoints(s)).toEqual({ 'reactor:a': forA, 'reactor:b': forA, 'reactor:c': forA });
  await close(s);
});

it('coalesced checkpoints across a crash: no effect is skipped and none is repeated', async () => {
  let s = open();
  const effects = new Map<string, number>(); // event id -> times reacted
  const handled: string[] = [];
  const react = async (e: StoredEvent) => void effects.set(e.id, (effects.get(e.id) ?? 0) + 1);
  const reactors = [
    { name: 'mail', handles: ['Handled'], react },
    { name: 'sms', handles: ['Texted'], react },
  ];
  let engine = new ReactorEngine(s.events, s.reads, reactors, undefined, { checkpointEveryMs: 3_600_000 });
  await engine.start();
  const page = async (stream: string, types: string[]) => {
    const r = await s.events.append(
      stream,
      types.map((type) => ({ type, data: {} })),
      'no_stream',
    );
    handled.push(...r.events.filter((e) => e.type !== 'Ignored').map((e) => e.id));
    expect(await engine.waitFor(r.position, 10_000)).toBe(true);
    return r.position;
  };
  const p1 = await page('p1', ['Handled', 'Ignored']);
  await page('p2', ['Ignored', 'Ignored', 'Ignored']);
  const p3 = await page('p3', ['Texted']);
  await page('p4', ['Ignored']);
  // each checkpoint stands where its last claim put it: the quiet pages after it are not written yet
  expect(await checkpoints(s)).toEqual({ 'reactor:mail': p1, 'reactor:sms': p3 });
  const crashed = crashCopy(); // the process dies here: no stop, no coalesced write
  await engine.stop();
  await close(s);
  rmSync(dir, { recursive: true, force: true });

  // the restart reads again from the claimed checkpoints and finds nothing to react to there
  dir = crashed;
  s = open();
  engine = new ReactorEngine(s.events, s.reads, reactors, undefined, { checkpointEveryMs: 3_600_000 });
  await engine.start();
  const p5 = await page('p5', ['Ignored', 'Handled', 'Texted']);
  expect([...effects.keys()].sort()).toEqual([...handled].sort());
  expect([...effects.values()].every((n) => n === 1)).toBe(true);
  await engine.stop();
  expect(await checkpoints(s)).toEqual({ 'reactor:mail': p5, 'reactor:sms': p5 });
  await close(s);
});

it('a failing reactor holds back only itself; its checkpoint never passes what it failed on, restart included', async () => {
  let s = open();
  const ok: number[] = [];
  const flaky: number[] = [];
  let broken = true;
  const errors: string[] = [];
  const reactors = [
    { name: 'ok', handles: ['E'], react: async (e: StoredEvent) => void ok.push(e.data.n as number) },
    {
      name: 'flaky',
      handles: ['E'],
      react: async (e: StoredEvent) => {
        if (broken) throw new Error('mail server down');
        flaky.push(e.data.n as number);
      },
    },
  ];
  const onError = (name: string) => void errors.push(name);
  let engine = new ReactorEngine(s.events, s.reads, reactors, onError);
  await engine.start();
  const e = (n: number) => s.events.append(`e-${n}`, [{ type: 'E', data: { n } }], 'no_stream').then((r) => r.position);
  const e1 = await e(1);
  await until('ok reacts to e1', () => ok.length === 1);
  await s.events.append('quiet', [{ type: 'Ignored', data: {} }], 'no_stream');
  const e2 = await e(2);
  await until('ok reacts to e2 while flaky fails', () => ok.length === 2);
  expect(errors).toContain('flaky');
  expect(await engine.waitFor(e2, 300)).toBe(false); // not every reactor has passed e2
  await engine.stop();
  expect((await checkpoints(s))['reactor:flaky']).toBeLessThan(e1);
  expect((await checkpoints(s))['reactor:ok']).toBe(e2);
  await close(s);

  // after a restart it reacts to what it failed on
  broken = false;
  s = open();
  engine = new ReactorEngine(s.events, s.reads, reactors, onError);
  await engine.start();
  expect(await engine.waitFor(e2, 10_000)).toBe(true);
  expect(flaky).toEqual([1, 2]);

  // and in a running process it catches up on its own once it works again, the others untouched
  broken = true;
  const e3 = await e(3);
  await until('ok reacts to e3', () => ok.length === 3);
  broken = false;
  expect(await engine.waitFor(e3, 15_000)).toBe(true);
  expect(flaky).toEqual([1, 2, 3]);
  expect(ok).toEqual([1, 2, 3]);
  await engine.stop();
  await close(s);
}, 60_000);

it('two engines on one store (as two processes): a coalesced write never lowers the checkpoint the other moved; each effect once', async () => {
  const s = open();
  const reacted: string[] = [];
  const mailer = (side: string) => ({
    name: 'mailer',
    handles: ['Noticed'],
    react: async (e: StoredEvent) => void reacted.push(`${side}:${e.id}`),
  });
  // process A gets its pages late (a busy process): each delivery waits while `held` is set
  let held: Promise<void> | null = null;
  let release = () => undefined as void;
  const lateLog: EventStore = Object.create(s.events, {
    subscribe: {
      value: (o: SubscribeOptions) =>
        s.events.subscribe({
          ...o,
          onBatch: async (batch, after) => {
            await held;
            return o.onBatch!(batch, after);
          },
        }),
    },
  });
  const a = new ReactorEngine(lateLog, s.reads, [mailer('a')], undefined, { checkpointEveryMs: 3_600_000 });
  const b = new ReactorEngine(s.events, s.reads, [mailer('b')], undefined, { checkpointEveryMs: 3_600_000 });
  await a.start();
  await b.start();
  const q = await append(s, 'quiet', ['Ignored']);
  expect(await a.waitFor(q, 10_000)).toBe(true); // A passed q: a coalesced move, not written
  expect(await b.waitFor(q, 10_000)).toBe(true);
  held = new Promise<void>((r) => (release = r));
  const n = await append(s, 'noticed', ['Noticed']);
  expect(await b.waitFor(n, 10_000)).toBe(true); // B mailed it and moved the checkpoint to n
  expect((await checkpoints(s))['reactor:mailer']).toBe(n);
  await a.flushCheckpoints(); // A has passed only q: its coalesced move must not lower n
  expect((await checkpoints(s))['reactor:mailer']).toBe(n);
  release();
  held = null;
  expect(await a.waitFor(n, 10_000)).toBe(true); // A now finds n claimed
  expect(reacted).toHaveLength(1);
  await a.stop();
  await b.stop();
  await close(s);
});
