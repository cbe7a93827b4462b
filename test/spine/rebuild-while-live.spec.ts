import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

const scores = defineProjection({
  name: 'scores',
  collections: [{ name: 'scores' }],
  handles: ['PointScored'],
  async apply(e, tx) {
    const d = e.data as { player: string; points: number };
    await tx.collection('scores').patch(d.player, { inc: { points: d.points, n: 1 } }, { upsert: true });
  },
});

describe('a rebuild on one connection while a live engine runs on another', () => {
  it('ends with the same read model as an uninterrupted run (no event skipped or applied twice)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plq-rebuild-live-'));
    const liveEvents = new SqliteEventStore(join(dir, 'events.sqlite'), () => new Date(), 10);
    const liveReads = new SqliteReadStore(join(dir, 'read.sqlite'));
    const live = new ProjectionEngine(liveEvents, liveReads, [scores], { batchSize: 100 });
    const expected = new Map<string, { points: number; n: number }>();
    const append = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const player = `p${i % 7}`;
        const points = (i % 5) + 1;
        const cur = expected.get(player) ?? { points: 0, n: 0 };
        expected.set(player, { points: cur.points + points, n: cur.n + 1 });
        await liveEvents.append(`game-${i % 13}`, [{ type: 'PointScored', data: { player, points } }], 'any');
      }
    };
    await append(1500);
    await live.start();
    expect(await live.waitFor(await liveEvents.headPosition(), 20_000)).toBe(true);

    // the operator's rebuild uses its own connections, as the CLI does from another process
    const opEvents = new SqliteEventStore(join(dir, 'events.sqlite'));
    const opReads = new SqliteReadStore(join(dir, 'read.sqlite'));
    const operator = new ProjectionEngine(opEvents, opReads, [scores], { batchSize: 100 });
    await Promise.all([operator.rebuild('scores'), append(600)]);
    expect(await live.waitFor(await liveEvents.headPosition(), 20_000)).toBe(true);

    const docs = (await liveReads.collection('scores').find({ limit: 100 })).items;
    expect(Object.fromEntries(docs.map((d) => [d.id, { points: d.points, n: d.n }]))).toEqual(Object.fromEntries(expected));
    await live.stop();
    for (const s of [opEvents, opReads, liveEvents, liveReads]) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
