/**
 * The SQLite store answers readAll from the events it committed itself (its in-memory tail)
 * only where the SQL would give exactly the same answer. Every case compares the store's
 * answer with the SQL's, read through a second store on the same file that never appends (so
 * it has no tail), for every `from` across the tail and beyond, several limits and type filters.
 * An answer from the tail is recognisable: its events are frozen (the SQL's are fresh objects).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ReadAllOptions, StoredEvent } from '../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { uid } from './helpers/event-store-harness.js';

const ev = (type: string, n: number) => ({ type, data: { n } });
const LIMITS = [1, 2, 3, 5, 1000];

describe('SqliteEventStore in-memory tail', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = (tailSize?: number) => {
    const s = new SqliteEventStore(file, () => new Date(), 20, tailSize);
    opened.push(s);
    return s;
  };
  let store: SqliteEventStore;
  /** Reads through SQL only: it never appends, so its tail stays empty. */
  let sql: SqliteEventStore;
  let tA: string;
  let tB: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'es-tail-'));
    file = path.join(dir, 'events.sqlite');
    store = open();
    sql = open();
    [tA, tB] = [`A${uid()}`, `B${uid()}`];
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fromTail = (events: StoredEvent[]) => events.length > 0 && events.every((e) => Object.isFrozen(e) && Object.isFrozen(e.data));

  /** Every from in [lo, hi], every limit, every filter: the store's answer equals the SQL's. Returns how many came from the tail. */
  async function sweep(lo: number, hi: number): Promise<number> {
    let hits = 0;
    for (let from = lo; from <= hi; from++) {
      for (const limit of LIMITS) {
        for (const types of [undefined, [tA], [tB, tA], [`None${uid()}`], []]) {
          const options: ReadAllOptions = { from, limit, types };
          const got = await store.readAll(options);
          expect(got).toStrictEqual(await sql.readAll(options));
          if (fromTail(got)) hits++;
        }
      }
    }
    return hits;
  }

  it('answers reads of its own appends from memory, equal to the SQL for every from, limit and type filter', async () => {
    const s1 = `s-${uid()}`;
    const s2 = `s-${uid()}`;
    await store.append(s1, [ev(tA, 0), ev(tB, 1)], 'no_stream');
    await store.append(s2, [ev(tB, 2)], 'no_stream');
    await Promise.all([store.append(s1, [ev(tA, 3)], 1), store.append(s2, [ev(tA, 4), ev(tA, 5)], 0)]);
    const head = await store.headPosition();
    expect(head).toBe(6);
    expect(await sweep(0, head + 1)).toBeGreaterThan(100);
    // the read a subscription makes right after an append comes from memory
    expect(fromTail(await store.readAll({ from: head - 1 }))).toBe(true);
    // with no default limit cut: the answer without options is the SQL's too
    expect(await store.readAll()).toStrictEqual(await sql.readAll());
  });

  it('gives the stored JSON form, not the object the caller appended', async () => {
    const stream = `j-${uid()}`;
    const data = { at: new Date('2026-01-02T03:04:05.000Z'), gone: undefined, list: [1, undefined], nested: { k: 'v' } };
    await store.append(stream, [{ type: tA, data, metadata: { custom: 'x', actor_id: undefined } }], 'no_stream');
    data.nested.k = 'changed after the append';
    const [got] = await store.readAll({ from: 0 });
    expect(fromTail([got!])).toBe(true);
    expect(got!.data).toStrictEqual({ at: '2026-01-02T03:04:05.000Z', list: [1, null], nested: { k: 'v' } });
    expect(got).toStrictEqual((await sql.readAll({ from: 0 }))[0]);
  });

  it('hands out frozen events: a consumer cannot change what the next subscriber reads', async () => {
    await store.append(`f-${uid()}`, [{ type: tA, data: { n: 1, deep: { list: [{ x: 1 }] } } }], 'no_stream');
    const [e] = await store.readAll({ from: 0 });
    expect(() => {
      (e!.data as { n: number }).n = 2;
    }).toThrow(TypeError);
    expect(() => {
      ((e!.data.deep as { list: Array<{ x: number }> }).list[0]!).x = 2;
    }).toThrow(TypeError);
    expect(() => {
      e!.metadata.actor_id = 'someone';
    }).toThrow(TypeError);
    expect((await store.readAll({ from: 0 }))[0]!.data).toStrictEqual({ n: 1, deep: { list: [{ x: 1 }] } });
  });

  it('falls back to SQL when another connection appended, and restarts the tail after the gap', async () => {
    const other = open();
    const stream = `o-${uid()}`;
    await store.append(stream, [ev(tA, 0), ev(tB, 1)], 'no_stream');
    await other.append(`o-${uid()}`, [ev(tA, 100), ev(tB, 101)], 'no_stream'); // positions 3, 4
    // the foreign rows lie beyond the tail: every read must see them
    expect((await store.readAll({ from: 0 })).map((e) => e.data.n)).toEqual([0, 1, 100, 101]);
    expect((await store.readAll({ from: 2, types: [tB] })).map((e) => e.data.n)).toEqual([101]);
    expect(fromTail(await store.readAll({ from: 1 }))).toBe(false);
    await sweep(0, 5);
    await store.append(stream, [ev(tA, 2)], 1); // position 5, after the foreign ones
    await other.append(`o-${uid()}`, [ev(tB, 102)], 'no_stream'); // position 6
    await store.append(stream, [ev(tB, 3)], 2); // position 7
    expect((await store.readAll({ from: 4 })).map((e) => e.data.n)).toEqual([2, 102, 3]);
    expect(fromTail(await store.readAll({ from: 6 }))).toBe(true);
    await sweep(0, 8);
  });

  it('never serves an event a rolled-back savepoint of a group commit wrote', async () => {
    const stream = `g-${uid()}`;
    await store.append(stream, [ev(tA, 0)], 'no_stream'); // position 1
    const dup = crypto.randomUUID();
    const results = await Promise.allSettled([
      store.append(`g-${uid()}`, [ev(tA, 1)], 'no_stream'), // position 2
      // inserts position 3, then the second row breaks the unique id: its savepoint rolls back
      store.append(`g-${uid()}`, [{ id: dup, ...ev(tB, 66) }, { id: dup, ...ev(tB, 67) }], 'no_stream'),
      store.append(stream, [ev(tB, 77)], 'no_stream'), // conflict, nothing inserted
      store.append(`g-${uid()}`, [ev(tB, 2), ev(tA, 3)], 'no_stream'), // positions 3, 4
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((await store.readAll({ from: 0 })).map((e) => [e.position, e.data.n])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    expect(fromTail(await store.readAll({ from: 2 }))).toBe(true);
    await sweep(0, 5);
  });

  it('falls back to SQL for positions older than the tail holds', async () => {
    const small = open(4);
    for (let i = 0; i < 10; i++) await small.append(`w-${uid()}`, [ev(i % 2 ? tA : tB, i)], 'no_stream');
    store = small;
    expect(fromTail(await small.readAll({ from: 6 }))).toBe(true);
    expect(fromTail(await small.readAll({ from: 5 }))).toBe(false);
    expect(await sweep(0, 11)).toBeGreaterThan(0);
  });

  it('sees a change another connection made to a stored row (the log altered behind its back)', async () => {
    const stream = `t-${uid()}`;
    await store.append(stream, [ev(tA, 0), ev(tA, 1)], 'no_stream');
    const db = new Database(file);
    db.prepare('UPDATE events SET data = ? WHERE stream = ? AND version = 1').run(JSON.stringify({ n: 'forged' }), stream);
    db.close();
    expect((await store.readAll({ from: 0 })).map((e) => e.data.n)).toEqual([0, 'forged']);
    // and the next append of its own does not bring the old row back
    await store.append(stream, [ev(tA, 2)], 1);
    expect((await store.readAll({ from: 0 })).map((e) => e.data.n)).toEqual([0, 'forged', 2]);
    await sweep(0, 4);
  });
});
