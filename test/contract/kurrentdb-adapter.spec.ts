/**
 * What KurrentDbEventStore must survive beyond the shared contract, over the fake client that
 * models it (test/contract/helpers/fake-kurrentdb-client.ts): live subscriptions the server ends,
 * drops or fails, calls that fail while the server is unavailable, servers before 22.6, and lag
 * counted in events although positions are byte offsets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readStreamPages, type StoredEvent, type Subscription } from '../../src/eventstore/event-store.port.js';
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb-event-store.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';
import { FakeKurrentDbClient } from './helpers/fake-kurrentdb-client.js';
import { uid, waitFor } from './helpers/event-store-harness.js';

type Client = ConstructorParameters<typeof KurrentDbEventStore>[0];
const HOUR = 3_600_000;

describe('KurrentDbEventStore over a fake that models the server', () => {
  let fake: FakeKurrentDbClient;
  let store: KurrentDbEventStore;
  const subs: Subscription[] = [];
  const open = (options: { streamReadPositions?: boolean } = {}) => {
    fake = new FakeKurrentDbClient(options);
    // No safety poll within a test: only the live subscription can wake the pull loop.
    store = new KurrentDbEventStore(fake as unknown as Client, () => new Date(), 20, { reopenDelayMs: 20, pollMs: HOUR });
  };
  afterEach(async () => {
    for (const s of subs.splice(0)) await s.close();
    await store.close();
  });

  const follow = (type: string) => {
    const got: StoredEvent[] = [];
    const errors: unknown[] = [];
    subs.push(store.subscribe({ from: 0, types: [type], onEvent: (e) => void got.push(e), onError: (e) => void errors.push(e) }));
    return { got, errors };
  };

  for (const how of ['end', 'close', 'error'] as const) {
    it(`reopens a live subscription the server stops with '${how}' and goes on from its checkpoint`, async () => {
      open();
      const type = `Ended${uid()}`;
      const { got, errors } = follow(type);
      await store.append(`s-${uid()}`, [{ type, data: { n: 1 } }], 'no_stream');
      await waitFor(() => got.length === 1, 10_000, 'first event');
      await waitFor(() => fake.liveSubscriptions === 1, 10_000, 'live subscription');

      fake.endLive(how);
      expect(fake.liveSubscriptions).toBe(0);
      // appended while no live subscription is open: found by the pull loop once it is reopened
      await store.append(`s-${uid()}`, [{ type, data: { n: 2 } }], 'no_stream');
      await waitFor(() => fake.liveSubscriptions === 1, 10_000, 'reopened subscription');
      await store.append(`s-${uid()}`, [{ type, data: { n: 3 } }], 'no_stream');
      await waitFor(() => got.length === 3, 10_000, 'events after the reopen');

      expect(got.map((e) => e.data.n)).toEqual([1, 2, 3]);
      expect(fake.subscriptionsOpened).toBe(2);
      expect(errors).toHaveLength(how === 'error' ? 1 : 0);
    });
  }

  it('retries a subscription the server refuses, and a read of $all that fails, without skipping or repeating events', async () => {
    open();
    const type = `Flaky${uid()}`;
    fake.failNext('subscribeToAll', 2);
    fake.failNext('readAll', 1);
    const { got, errors } = follow(type);
    await waitFor(() => fake.liveSubscriptions === 1, 10_000, 'subscription after two refusals');
    for (let n = 1; n <= 3; n++) await store.append(`s-${uid()}`, [{ type, data: { n } }], 'no_stream');
    await waitFor(() => got.length === 3, 10_000, 'events');
    fake.failNext('readAll', 2);
    await store.append(`s-${uid()}`, [{ type, data: { n: 4 } }], 'no_stream');
    await waitFor(() => got.length === 4, 10_000, 'event after failed reads');
    expect(got.map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
    expect(fake.subscriptionsOpened).toBe(3);
    expect(errors.length).toBeGreaterThanOrEqual(3); // two refused subscriptions, at least one failed read
  });

  it('passes an append failure on to the caller, and the next append works', async () => {
    open();
    const stream = `s-${uid()}`;
    fake.failNext('appendToStream');
    await expect(store.append(stream, [{ type: 'T', data: {} }], 'no_stream')).rejects.toMatchObject({ type: 'unavailable' });
    expect((await store.append(stream, [{ type: 'T', data: {} }], 'no_stream')).version).toBe(0);
  });

  it('fills a page of a stream read past binary events (not ours), so a short page still means the end', async () => {
    open();
    const stream = `mixed-${uid()}`;
    await store.append(stream, [{ type: 'Ours', data: { n: 0 } }], 'no_stream');
    fake.binary(stream, 'Theirs'); // revision 1
    fake.binary(stream, 'Theirs'); // revision 2
    await store.append(
      stream,
      [1, 2, 3].map((n) => ({ type: 'Ours', data: { n } })),
      'any',
    );
    fake.binary(stream, 'Theirs'); // revision 6
    await store.append(stream, [{ type: 'Ours', data: { n: 4 } }], 'any');
    const ours = (events: StoredEvent[]) => events.map((e) => [e.version, e.data.n]);
    expect(ours(await store.readStream(stream, 0, 3))).toEqual([
      [0, 0],
      [3, 1],
      [4, 2],
    ]);
    expect(ours(await store.readStream(stream, 5, 2))).toEqual([
      [5, 3],
      [7, 4],
    ]);
    expect(ours(await store.readStream(stream, 6, 2))).toEqual([[7, 4]]);
    const pages: StoredEvent[][] = [];
    for await (const p of readStreamPages(store, stream, 0, 2)) pages.push(p);
    expect(pages.map(ours)).toEqual([
      [
        [0, 0],
        [3, 1],
      ],
      [
        [4, 2],
        [5, 3],
      ],
      [[7, 4]],
    ]);
  });

  describe('projections', () => {
    let dir: string;
    let reads: SqliteReadStore;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'kdb-proj-'));
      reads = new SqliteReadStore(path.join(dir, 'read.sqlite'));
    });
    afterEach(async () => {
      await reads.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const counting = (type: string) =>
      defineProjection({
        name: 'counted',
        collections: [{ name: 'counted' }],
        handles: [type],
        apply: async (e, tx) => void (await tx.collection('counted').patch('n', { inc: { n: 1 } }, { upsert: true })),
      });

    it('counts lag in events, not in bytes of the transaction log', async () => {
      open();
      const type = `Lag${uid()}`;
      const engine = new ProjectionEngine(store, reads, [counting(type)]);
      await engine.prepare();
      for (let n = 0; n < 3; n++) await store.append(`s-${uid()}`, [{ type, data: { n } }], 'no_stream');
      const [status] = await engine.status();
      expect(status!.head).toBeGreaterThan(100); // a byte offset
      expect(status!.lag).toBe(3); // system events ($statsCollected, $metadata) are not ours to project
      expect(status!.lag_capped).toBeUndefined();
    });

    it('gives read-your-writes on a server before 22.6 (no positions on stream reads)', async () => {
      open({ streamReadPositions: false });
      const type = `Ryw${uid()}`;
      const engine = new ProjectionEngine(store, reads, [counting(type)]);
      await engine.start();
      try {
        const res = await store.append(
          `s-${uid()}`,
          [
            { type, data: {} },
            { type, data: {} },
          ],
          'no_stream',
        );
        expect(res.events.map((e) => e.position)).toEqual([expect.any(Number), res.position]);
        expect(res.events[0]!.position).toBeGreaterThan(0);
        expect(res.events[0]!.position).toBeLessThan(res.position);
        expect(await engine.waitFor(res.position, 10_000)).toBe(true);
        expect(await reads.collection('counted').get('n')).toEqual({ id: 'n', n: 2 });
      } finally {
        await engine.stop();
      }
    });
  });
});
