/**
 * AggregateRepository.executeAll (executeAtomic at the end): independent decisions on different
 * streams appended in one synchronous run, so the SQLite store writes them in one commit (counted in its WAL), each with
 * its own expected version: a command that loses a race is re-decided alone, and one whose
 * decide refuses appends nothing while the others are still written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AggregateRepository, type DomainEvent, type Evolver } from '../../src/eventstore/aggregate-repository.js';
import { ConcurrencyError } from '../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { EventStoreCommits } from '../support/wal-commits.js';
import { uid } from './helpers/event-store-harness.js';

type Added = DomainEvent<'Added', { n: number }>;
const sum: Evolver<{ total: number }, Added> = { initialState: () => ({ total: 0 }), evolve: (s, e) => ({ total: s.total + e.data.n }) };
const one = (n: number): Added[] => [{ type: 'Added', data: { n } }];
const add = (stream: string, n: number, onDecide: () => void | Promise<void> = () => {}) => ({
  stream,
  evolver: sum,
  decide: async (): Promise<Added[]> => {
    await onDecide();
    return [{ type: 'Added', data: { n } }];
  },
});

describe('AggregateRepository.executeAll on SQLite', () => {
  let dir: string;
  let store: SqliteEventStore;
  let repo: AggregateRepository;
  let commits: EventStoreCommits;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'execute-all-'));
    store = new SqliteEventStore(path.join(dir, 'events.sqlite'), () => new Date());
    repo = new AggregateRepository(store);
    commits = new EventStoreCommits(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes three decisions on three streams in one commit, each at its own version', async () => {
    const [x, y, z] = [`x-${uid()}`, `y-${uid()}`, `z-${uid()}`];
    await repo.execute(x, sum, () => one(1));
    commits.reset();
    const [rx, ry, rz] = await repo.executeAll([add(x, 2), add(y, 3), add(z, 4)] as const);
    expect(commits.count()).toBe(1);
    expect([rx.state.total, ry.state.total, rz.state.total]).toEqual([3, 3, 4]);
    expect([rx.version, ry.version, rz.version]).toEqual([1, 0, 0]);
    // the same three through execute, one after another: three commits
    commits.reset();
    for (const s of [x, y, z]) await repo.execute(s, sum, () => one(1));
    expect(commits.count()).toBe(3);
  });

  it('re-decides only the command that lost a version race; the others are written once', async () => {
    const [x, y] = [`x-${uid()}`, `y-${uid()}`];
    let decidedX = 0;
    let sneaked = false;
    const other = new AggregateRepository(store);
    const [rx, ry] = await repo.executeAll([
      add(x, 10, async () => {
        decidedX++;
        if (!sneaked) {
          sneaked = true; // another writer appends to x between our load and our append
          await other.execute(x, sum, () => one(5));
        }
      }),
      add(y, 1),
    ] as const);
    expect(decidedX).toBe(2);
    expect(rx.state.total).toBe(15);
    expect(rx.version).toBe(1);
    expect((await store.readStream(y)).map((e) => e.data.n)).toEqual([1]);
    expect(ry.version).toBe(0);
  });

  it('a fresh command reads nothing and is refused, not re-decided, when its stream exists', async () => {
    const x = `x-${uid()}`;
    await repo.execute(x, sum, () => one(1));
    let decided = 0;
    const fresh = { stream: x, evolver: sum, fresh: true, decide: () => (decided++, one(2)) };
    await expect(repo.executeAll([fresh] as const)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(decided).toBe(1);
    expect((await store.readStream(x)).map((e) => e.data.n)).toEqual([1]);
    const [created] = await repo.executeAll([{ ...fresh, stream: `y-${uid()}` }] as const);
    expect([created.version, created.state.total]).toEqual([0, 2]);
  });

  it('a command decided after an earlier result reads nothing, and is re-loaded when the stream moved since', async () => {
    const x = `x-${uid()}`;
    const first = await repo.execute(x, sum, () => one(1));
    const reads: string[] = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (stream, from, limit) => (reads.push(stream), readStream(stream, from, limit));
    const [second] = await repo.executeAll([{ ...add(x, 2), after: first }] as const);
    expect(reads).toEqual([]);
    expect([second.version, second.state.total]).toEqual([1, 3]);
    await new AggregateRepository(store).execute(x, sum, () => one(10)); // another process moves the stream
    reads.length = 0;
    const [third] = await repo.executeAll([{ ...add(x, 4), after: second }] as const);
    expect(reads).toEqual([x]);
    expect([third.version, third.state.total]).toEqual([3, 17]);
  });

  it('a refused decision appends nothing, the others are written, and the refusal is thrown', async () => {
    const [x, y] = [`x-${uid()}`, `y-${uid()}`];
    const refused = {
      stream: x,
      evolver: sum,
      decide: (): Added[] => {
        throw new Error('refused');
      },
    };
    await expect(repo.executeAll([refused, add(y, 7)] as const)).rejects.toThrow('refused');
    expect(await store.readStream(x)).toEqual([]);
    expect((await store.readStream(y)).map((e) => e.data.n)).toEqual([7]);
  });

  // executeAtomic: the commands decided in order on one load, written all or nothing in one commit;
  // a lost version race re-loads and re-decides every command, a decide that throws writes nothing
  describe('executeAtomic', () => {
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
});
