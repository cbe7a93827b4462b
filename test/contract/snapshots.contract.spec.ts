/**
 * Aggregate snapshots (AggregateRepository + SnapshotStore) over every event-store adapter: a
 * load reads a bounded tail whatever the stream's length, gives the same state as a full
 * replay, ignores and rebuilds a snapshot that is stale, corrupt, of another schema or of
 * another stream's history, and leaves optimistic concurrency exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AggregateRepository, type DomainEvent, type Evolver } from '../../src/eventstore/aggregate-repository.js';
import { ConcurrencyError, type EventStore, type StoredEvent } from '../../src/eventstore/event-store.port.js';
import { SNAPSHOT_COLLECTION } from '../../src/eventstore/snapshots.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';
import {
  kurrentFakeHarness,
  kurrentHarness,
  postgresHarness,
  sealingHarness,
  sqliteHarness,
  uid,
  type EventStoreHarness,
} from './helpers/event-store-harness.js';

type Added = DomainEvent<'Added', { n: number }>;
interface Sum {
  total: number;
  count: number;
  last: number[];
}
const sumEvolver = (schema: number): Evolver<Sum, Added> => ({
  initialState: () => ({ total: 0, count: 0, last: [] }),
  evolve: (s, e) => ({ total: s.total + e.data.n, count: s.count + 1, last: [...s.last, e.data.n].slice(-3) }),
  snapshot: { schema },
});
const plain: Evolver<Sum, Added> = { initialState: sumEvolver(1).initialState, evolve: sumEvolver(1).evolve };

/** Counts the events readStream returns (what a load costs) and the largest single read (what it holds at once). */
function counting(store: EventStore): EventStore & { lastRead: number; largestRead: number } {
  const c = Object.create(store) as EventStore & { lastRead: number; largestRead: number };
  c.lastRead = 0;
  c.largestRead = 0;
  c.readStream = async (stream: string, from?: number, limit?: number): Promise<StoredEvent[]> => {
    const events = await store.readStream(stream, from, limit);
    c.lastRead += events.length;
    c.largestRead = Math.max(c.largestRead, events.length);
    return events;
  };
  return c;
}

function snapshotContract(name: string, makeHarness: () => Promise<EventStoreHarness>): void {
  describe(`aggregate snapshots: ${name}`, () => {
    let h: EventStoreHarness;
    let store: EventStore;
    let dir: string;
    let reads: SqliteReadStore;
    /** A fresh repository = another process: nothing in memory, only what the stores hold. */
    const repo = (s: EventStore = store, pageSize?: number) => new AggregateRepository(s, undefined, reads, pageSize);

    beforeEach(async () => {
      h = await makeHarness();
      store = await h.open();
      dir = mkdtempSync(path.join(os.tmpdir(), 'snapshots-'));
      reads = new SqliteReadStore(path.join(dir, 'read.sqlite'));
    });
    afterEach(async () => {
      await reads.close();
      await h.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    async function grow(stream: string, n: number, r = repo(), evolver = sumEvolver(1), factor = 1) {
      for (let i = 1; i <= n; i++) await r.execute(stream, evolver, () => [{ type: 'Added' as const, data: { n: i * factor } }]);
    }
    const expected = (n: number): Sum => ({ total: (n * (n + 1)) / 2, count: n, last: [n - 2, n - 1, n].filter((x) => x > 0) });
    const snapshotDoc = () => reads.collection(SNAPSHOT_COLLECTION);

    it('given 300 events, when another process loads, then it reads a bounded tail and gets the full-replay state', async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 300);
      const c = counting(store);
      const loaded = await repo(c).load(stream, sumEvolver(1));
      expect(loaded).toEqual({ state: expected(300), version: 299 });
      expect(c.lastRead).toBeLessThanOrEqual(33); // the snapshot's own event + < 32 newer ones
      expect(await repo().load(stream, plain)).toEqual(loaded); // no snapshot: full replay agrees
      // the same process reads only the snapshot's event once it has the state in memory
      const warm = counting(store);
      const r = repo(warm);
      await r.load(stream, sumEvolver(1));
      warm.lastRead = 0;
      await r.load(stream, sumEvolver(1));
      expect(warm.lastRead).toBe(1);
    });

    it('given a stale snapshot (events appended after it by another process), then the tail is replayed on top of it', async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 40);
      const a = repo();
      await a.load(stream, sumEvolver(1)); // a holds version 39 in memory
      await grow(stream, 5, repo()); // another process appends 41..45
      expect((await a.load(stream, sumEvolver(1))).state).toEqual({ total: expected(40).total + 15, count: 45, last: [3, 4, 5] });
    });

    it('given a corrupt snapshot (tampered state, bad digest, unparsable), then it is ignored and rebuilt', async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 40);
      const good = (await snapshotDoc().get(stream))!;
      expect(good).toMatchObject({ schema: 1, version: 31 });
      for (const bad of [
        { ...good, state: JSON.stringify({ total: 1, count: 1, last: [] }) }, // digest no longer matches
        { ...good, state: '{"total":', digest: 'x' },
        { ...good, version: 'seven' },
      ]) {
        await snapshotDoc().upsert(bad);
        expect((await repo().load(stream, sumEvolver(1))).state).toEqual(expected(40));
        expect(await snapshotDoc().get(stream)).toMatchObject({ schema: 1, version: 39 }); // rebuilt from the replay
      }
    });

    it('given a snapshot of an older schema, then it is ignored and one of the new schema is written', async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 40);
      // schema 2 counts differently: a schema-1 snapshot must not leak into it
      const v2: Evolver<Sum, Added> = { ...sumEvolver(2), evolve: (s, e) => ({ ...s, total: s.total + 2 * e.data.n, count: s.count + 1 }) };
      expect((await repo().load(stream, v2)).state.total).toBe(2 * expected(40).total);
      expect(await snapshotDoc().get(stream)).toMatchObject({ schema: 2, version: 39 });
    });

    it("given a snapshot that does not match the stream's event at its version, then it is ignored", async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 40);
      // the same stream name with another history (the event store restored from an older backup)
      const doc = (await snapshotDoc().get(stream))!;
      expect(doc.version).toBe(31);
      const h2 = await makeHarness();
      try {
        const restored = await h2.open();
        await grow(stream, 35, repo(restored), sumEvolver(1), 100);
        await snapshotDoc().upsert(doc); // the first history's snapshot, valid digest, version 31 exists here too
        expect((await repo(restored).load(stream, sumEvolver(1))).state.total).toBe(100 * expected(35).total);
        // and a snapshot ahead of a shorter stream
        const h3 = await makeHarness();
        try {
          const shorter = await h3.open();
          await shorter.append(stream, [{ type: 'Added' as const, data: { n: 1 } }], 'no_stream');
          await snapshotDoc().upsert(doc);
          expect((await repo(shorter).load(stream, sumEvolver(1))).state).toEqual(expected(1));
        } finally {
          await h3.cleanup();
        }
      } finally {
        await h2.cleanup();
      }
    });

    it('keeps optimistic concurrency exact: a decision on a snapshot-loaded state that lost a race is a conflict', async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 40);
      const a = repo();
      const b = repo();
      let raced = false;
      const attempt = a.execute(
        stream,
        sumEvolver(1),
        async () => {
          if (!raced) {
            raced = true;
            await grow(stream, 1, b); // version 40 appended by another process meanwhile
          }
          return [{ type: 'Added' as const, data: { n: 1000 } }];
        },
        { retryOnConflict: false },
      );
      await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
      // with retry the decider runs again on the fresh state and both increments count
      raced = false;
      const retried = await a.execute(stream, sumEvolver(1), async (s) => {
        if (!raced) {
          raced = true;
          await grow(stream, 1, b);
        }
        return [{ type: 'Added' as const, data: { n: s.count } }];
      });
      expect(retried.version).toBe(42);
      expect((await repo().load(stream, plain)).state.count).toBe(43);
      expect((await repo().load(stream, sumEvolver(1))).state).toEqual((await repo().load(stream, plain)).state);
    });

    describe('replay in pages (a load holds one page, whatever the length)', () => {
      const PAGE = 4;
      const added = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'Added', data: { n: from + i } }));
      /** n events straight into the store (as history seeded by another process: no snapshot taken). */
      const seed = async (stream: string, from: number, n: number) => {
        if (n > 0) await store.append(stream, added(from, n), from === 1 ? 'no_stream' : from - 2);
      };
      /** The state by one unpaged read and fold, beside the repository: the reference every paged load must equal. */
      const reference = async (stream: string) => {
        const events = await store.readStream(stream);
        const state = events.reduce(
          (st, e) => sumEvolver(1).evolve(st, { type: 'Added', data: { n: e.data.n as number } }),
          plain.initialState(),
        );
        return { state, version: events.length - 1 };
      };

      it.each([0, 1, PAGE - 1, PAGE, PAGE + 1, 2 * PAGE + 1])(
        'given %i events and no snapshot, then a paged load equals one full read, with and without snapshots',
        async (n) => {
          const stream = `page-${uid()}`;
          await seed(stream, 1, n);
          expect(await reference(stream)).toEqual(
            n === 0 ? { state: plain.initialState(), version: -1 } : { state: expected(n), version: n - 1 },
          );
          for (const evolver of [plain, sumEvolver(1)]) {
            const c = counting(store);
            expect(await repo(c, PAGE).load(stream, evolver)).toEqual(await reference(stream));
            expect(c.largestRead).toBeLessThanOrEqual(PAGE);
          }
        },
      );

      it.each([0, 1, PAGE - 2, PAGE - 1, PAGE, PAGE + 1])(
        'given a snapshot in the middle and %i events after it, then the paged tail on top of it equals one full read',
        async (tail) => {
          const stream = `page-${uid()}`;
          await seed(stream, 1, 40);
          const warmStore = counting(store);
          const warm = repo(warmStore, PAGE);
          await warm.load(stream, sumEvolver(1)); // snapshot at version 39, in memory and persisted
          expect(await snapshotDoc().get(stream)).toMatchObject({ version: 39 });
          await seed(stream, 41, tail); // appended by another process after the snapshot
          const freshStore = counting(store);
          for (const [r, c] of [
            [warm, warmStore],
            [repo(freshStore, PAGE), freshStore],
          ] as const) {
            c.lastRead = c.largestRead = 0;
            expect(await r.load(stream, sumEvolver(1))).toEqual(await reference(stream));
            expect(c.lastRead).toBe(tail + 1); // the snapshot's own event and the tail, nothing before
            expect(c.largestRead).toBeLessThanOrEqual(PAGE);
          }
        },
      );

      it('given 2,500 events seeded with no snapshot, then the first load reads pages of 1,000 at most and the next one only the snapshot', async () => {
        const stream = `huge-${uid()}`;
        for (let from = 1; from <= 2500; from += 500) await seed(stream, from, 500);
        const first = counting(store);
        expect(await repo(first).load(stream, sumEvolver(1))).toEqual({ state: expected(2500), version: 2499 });
        expect([first.lastRead, first.largestRead]).toEqual([2500, 1000]);
        expect(await snapshotDoc().get(stream)).toMatchObject({ schema: 1, version: 2499 }); // persisted at once, for every process
        const next = counting(store);
        expect(await repo(next).load(stream, sumEvolver(1))).toEqual({ state: expected(2500), version: 2499 });
        expect(next.lastRead).toBe(1);
      });
    });

    it('never alters the log: the stream after snapshots is the same events, version for version', async () => {
      const stream = `snap-${uid()}`;
      await grow(stream, 70);
      const events = await store.readStream(stream);
      expect(events.map((e) => [e.version, e.data.n])).toEqual(Array.from({ length: 70 }, (_, i) => [i, i + 1]));
    });
  });
}

snapshotContract('sqlite', async () => sqliteHarness());
snapshotContract('sealing layer over sqlite', () => sealingHarness(sqliteHarness()));
snapshotContract('kurrentdb adapter, in-memory fake client', () => kurrentFakeHarness());
const kurrentUrl = process.env.EVENTSTORE_URL;
(kurrentUrl ? describe : describe.skip)('KurrentDB (EVENTSTORE_URL)', () => {
  snapshotContract('kurrentdb', () => kurrentHarness(kurrentUrl!));
});
const pgUrl = process.env.DATABASE_URL;
(pgUrl ? describe : describe.skip)('PostgreSQL (DATABASE_URL)', () => {
  snapshotContract('postgres', () => postgresHarness(pgUrl!));
});
