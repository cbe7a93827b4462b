/**
 * AggregateRepository.executeAll: independent decisions on different streams appended in one
 * synchronous run, so the SQLite store writes them in one commit (counted in its WAL), each with
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
    store.readStream = (stream, from) => (reads.push(stream), readStream(stream, from));
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
});
