/**
 * ProjectionEngine on the real embedded stores: a live page reads and writes only the checkpoints
 * of the projections it holds events for; the others' are written later (every few seconds, at
 * stop). The projections here count with `inc`, so an event applied twice shows. What must hold:
 * status() reports them caught up meanwhile, a crash before the write applies nothing twice after
 * the restart, and a rebuild or reset by another runner meanwhile (the CLI) is neither skipped
 * over nor applied twice.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plq-proj-cp-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const counting = (name: string, type: string) =>
  defineProjection({
    name,
    collections: [{ name }],
    handles: [type],
    async apply(_e, tx) {
      await tx.collection(name).patch('n', { inc: { count: 1 } }, { upsert: true });
    },
  });
const pa = counting('cp_a', 'A');
const pb = counting('cp_b', 'B');
const open = (at = dir) => ({
  events: new SqliteEventStore(join(at, 'events.sqlite')),
  reads: new SqliteReadStore(join(at, 'read.sqlite')),
});
type Stores = ReturnType<typeof open>;
const engineOn = (s: Stores) => new ProjectionEngine(s.events, s.reads, [pa, pb], { checkpointEveryMs: 3_600_000 });
const count = async (s: Stores, name: string) => ((await s.reads.collection(name).get('n'))?.count as number | undefined) ?? 0;
const append = async (s: Stores, stream: string, types: string[]) =>
  (
    await s.events.append(
      stream,
      types.map((type) => ({ type, data: {} })),
      'no_stream',
    )
  ).position;
const close = async (s: Stores) => {
  await s.events.close();
  await s.reads.close();
};
/** What a crash at this moment leaves on disk (see reactor-engine.spec.ts). */
function crashCopy(): string {
  const to = mkdtempSync(join(tmpdir(), 'plq-proj-cp-crash-'));
  for (const f of readdirSync(dir)) if (!f.endsWith('-shm')) cpSync(join(dir, f), join(to, f));
  return to;
}

it('a page moves only the checkpoints of the projections it holds events for; a crash before the others are written applies nothing twice', async () => {
  let s = open();
  let engine = engineOn(s);
  await engine.start();
  const a1 = await append(s, 'a1', ['A', 'Other']);
  expect(await engine.waitFor(a1)).toBe(true);
  const b1 = await append(s, 'b1', ['B']);
  expect(await engine.waitFor(b1)).toBe(true);
  const a2 = await append(s, 'a2', ['Other', 'A']);
  expect(await engine.waitFor(a2)).toBe(true);
  const stored = await s.reads.listCheckpoints();
  // each stands at the last page it had events in; status() counts the quiet pages after it as done
  expect(stored).toEqual({ cp_a: a2, cp_b: b1 });
  expect((await engine.status()).map((x) => [x.name, x.checkpoint, x.lag])).toEqual([
    ['cp_a', a2, 0],
    ['cp_b', a2, 0],
  ]);
  const crashed = crashCopy(); // the process dies here, before the coalesced write
  await engine.stop();
  expect(await s.reads.listCheckpoints()).toEqual({ cp_a: a2, cp_b: a2 }); // written at stop
  await close(s);
  rmSync(dir, { recursive: true, force: true });

  dir = crashed;
  s = open();
  engine = engineOn(s);
  await engine.start(); // reads again from cp_b's older checkpoint
  const last = await append(s, 'ab', ['B', 'A']);
  expect(await engine.waitFor(last)).toBe(true);
  expect([await count(s, 'cp_a'), await count(s, 'cp_b')]).toEqual([3, 2]);
  await engine.stop();
  expect(await s.reads.listCheckpoints()).toEqual({ cp_a: last, cp_b: last });
  await close(s);
});

it('a rebuild by another runner while a projection is quiet here is neither skipped over nor applied twice', async () => {
  const s = open();
  const live = engineOn(s);
  await live.start();
  for (let i = 0; i < 5; i++) await append(s, `b${i}`, ['B']);
  expect(await live.waitFor(await s.events.headPosition())).toBe(true);
  const head = await append(s, 'a', ['A', 'A']); // cp_b quiet over this page in the live engine
  expect(await live.waitFor(head)).toBe(true);
  expect((await s.reads.listCheckpoints()).cp_b).toBeLessThan(head); // quiet here: its move waits
  // the CLI's engine (never started) rebuilds cp_b page by page; the live one writes its coalesced
  // checkpoints in the middle of that replay and goes on with new pages
  const cli = new ProjectionEngine(s.events, s.reads, [pa, pb], { catchUpBatchSize: 2 });
  let flushed = false;
  await cli.rebuild('cp_b', () => {
    if (flushed) return;
    flushed = true;
    void live.flushCheckpoints();
  });
  const more = await append(s, 'b-more', ['B', 'A']);
  expect(await live.waitFor(more)).toBe(true);
  expect(await live.waitFor(await append(s, 'a-quiet', ['A']))).toBe(true); // cp_b quiet here again
  // an operator's reset that has not begun to replay: the next page for cp_b catches it up from 0
  await s.reads.transaction(async (tx) => {
    await tx.dropCollection('cp_b');
    await tx.setCheckpoint('cp_b', 0);
  });
  const last = await append(s, 'b-last', ['B']);
  expect(await live.waitFor(last)).toBe(true);
  await live.stop(); // waits for the catch-up it started
  expect([await count(s, 'cp_a'), await count(s, 'cp_b')]).toEqual([4, 7]);
  expect(await s.reads.listCheckpoints()).toEqual({ cp_a: last, cp_b: last });
  await close(s);
});
