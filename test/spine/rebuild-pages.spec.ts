/**
 * A rebuild on SQLite runs over pages of 10,000 events in transactions bounded by time only (the
 * write bound of server stores would cut it every 1,000 writes). Over more than one page, with
 * every document written thousands of times, the counts must be exact, the checkpoint at the
 * head, and a second rebuild must give the same documents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

const N = 23_456;
const KEYS = 7;
const counting = defineProjection({
  name: 'rebuild_pages',
  collections: [{ name: 'rebuild_pages' }],
  handles: ['Counted'],
  async apply(e, tx) {
    const d = e.data as { key: string; n: number };
    await tx.collection('rebuild_pages').patch(d.key, { inc: { count: 1, sum: d.n }, set: { last: d.n } }, { upsert: true });
  },
});

it('rebuilds exactly across pages and long transactions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plq-rebuild-pages-'));
  const events = new SqliteEventStore(join(dir, 'events.sqlite'));
  const reads = new SqliteReadStore(join(dir, 'read.sqlite'));
  try {
    for (let i = 0; i < N; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({
        type: j % 5 === 4 ? 'Other' : 'Counted',
        data: { key: `k${(i + j) % KEYS}`, n: i + j },
      }));
      await events.append(`s-${i}`, batch, 'no_stream');
    }
    const expected = new Map<string, { count: number; sum: number; last: number }>();
    for (let i = 0; i < N; i++) {
      if (i % 1000 % 5 === 4) continue;
      const k = `k${i % KEYS}`;
      const e = expected.get(k) ?? { count: 0, sum: 0, last: 0 };
      expected.set(k, { count: e.count + 1, sum: e.sum + i, last: i });
    }
    const engine = new ProjectionEngine(events, reads, [counting]);
    await engine.prepare();
    const dump = async () => (await reads.collection('rebuild_pages').find({ limit: 100, sort: [['id', 'asc']] })).items;
    expect(await engine.rebuild('rebuild_pages')).toBe(N);
    const first = await dump();
    expect(first).toEqual([...expected].sort(([a], [b]) => a.localeCompare(b)).map(([id, v]) => ({ id, ...v })));
    expect((await reads.listCheckpoints()).rebuild_pages).toBe(await events.headPosition());
    await engine.rebuild('rebuild_pages');
    expect(await dump()).toEqual(first);
  } finally {
    await reads.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
