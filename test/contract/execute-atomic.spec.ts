/**
 * AggregateRepository.executeAtomic on SQLite: commands on several streams decided in order on
 * one load and written all or nothing in one commit (counted in the WAL); a lost version race
 * re-loads and re-decides every command, and a decide that throws writes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AggregateRepository, type DomainEvent, type Evolver } from '../../src/eventstore/aggregate-repository.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { EventStoreCommits } from '../support/wal-commits.js';
import { uid } from './helpers/event-store-harness.js';

type Added = DomainEvent<'Added', { n: number }>;
const sum: Evolver<{ total: number }, Added> = { initialState: () => ({ total: 0 }), evolve: (s, e) => ({ total: s.total + e.data.n }) };
const one = (n: number): Added[] => [{ type: 'Added', data: { n } }];

describe('AggregateRepository.executeAtomic on SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let repo: AggregateRepository;
  let commits: EventStoreCommits;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execute-atomic-'));
    store = new SqliteEventStore(path.join(dir, 'events.sqlite'), () => new Date());
    repo = new AggregateRepository(store);
    commits = new EventStoreCommits(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decides in order (a later decide reads what an earlier one computed and its stream state), in one commit', async () => {
    const [x, y] = [`x-${uid()}`, `y-${uid()}`];
    await repo.execute(x, sum, () => one(1));
    commits.reset();
    let seen = -1;
    const [rx, ry, rx2] = await repo.executeAtomic([
      { stream: x, evolver: sum, decide: (s) => one(s.total + 1) }, // 1 -> adds 2
      { stream: y, evolver: sum, decide: () => one(10) },
      { stream: x, evolver: sum, decide: (s) => ((seen = s.total), one(100)) }, // sees 3, the first command's event
    ] as const);
    expect(commits.count()).toBe(1);
    expect(seen).toBe(3);
    expect(rx.state.total).toBe(103);
    expect(rx2.version).toBe(2);
    expect(ry.state.total).toBe(10);
    expect((await store.readStream(x)).map((e) => e.data.n)).toEqual([1, 2, 100]);
  });

  it('on a lost race re-loads and re-decides ALL commands, so a gate decided first sees the other writer', async () => {
    const [counter, own] = [`c-${uid()}`, `o-${uid()}`];
    await repo.execute(counter, sum, () => one(1));
    const other = new AggregateRepository(store);
    const decided: string[] = [];
    const err = await repo
      .executeAtomic([
        {
          stream: counter,
          evolver: sum,
          decide: (s) => {
            decided.push(`gate:${s.total}`);
            if (s.total > 1) throw new Error('refused');
            return [];
          },
        },
        {
          stream: own,
          evolver: sum,
          decide: async () => {
            decided.push('own');
            // another writer moves the counter between our load and our append
            if (decided.length === 2) await other.execute(counter, sum, () => one(5));
            return one(7);
          },
        },
        { stream: counter, evolver: sum, decide: () => one(1) },
      ] as const)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'refused' });
    expect(decided).toEqual(['gate:1', 'own', 'gate:6']);
    // nothing of the lost set was written: neither the counter's event nor the other stream's
    expect((await store.readStream(counter)).map((e) => e.data.n)).toEqual([1, 5]);
    expect(await store.readStream(own)).toEqual([]);
  });

  it('a stream only read is still checked: a change to it re-decides the set', async () => {
    const [read, written] = [`r-${uid()}`, `w-${uid()}`];
    await repo.execute(read, sum, () => one(1));
    const other = new AggregateRepository(store);
    const seen: number[] = [];
    const [, rw] = await repo.executeAtomic([
      { stream: read, evolver: sum, decide: () => [] },
      {
        stream: written,
        evolver: sum,
        decide: async () => {
          const { state } = await other.load(read, sum);
          seen.push(state.total);
          if (seen.length === 1) await other.execute(read, sum, () => one(2));
          return one(state.total);
        },
      },
    ] as const);
    expect(seen).toEqual([1, 3]);
    expect(rw.state.total).toBe(3);
    expect((await store.readStream(written)).map((e) => e.data.n)).toEqual([3]);
  });

  it('a decide that throws writes nothing of the set, and it gives up after maxAttempts lost races', async () => {
    const [x, y] = [`x-${uid()}`, `y-${uid()}`];
    await expect(
      repo.executeAtomic([
        { stream: x, evolver: sum, decide: () => one(1) },
        {
          stream: y,
          evolver: sum,
          decide: () => {
            throw new Error('no');
          },
        },
      ] as const),
    ).rejects.toThrow('no');
    expect(await store.streamVersion(x)).toBe(-1);
    const other = new AggregateRepository(store);
    let tries = 0;
    const lost = await repo
      .executeAtomic(
        [
          {
            stream: x,
            evolver: sum,
            decide: async () => {
              tries++;
              await other.execute(x, sum, () => one(9));
              return one(1);
            },
          },
        ] as const,
        { maxAttempts: 3 },
      )
      .catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'concurrency_conflict', stream: x });
    expect(tries).toBe(3);
    expect((await store.readStream(x)).map((e) => e.data.n)).toEqual([9, 9, 9]);
  });
});
