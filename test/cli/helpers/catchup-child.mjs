// Child process for test/cli/crash-safety.e2e-spec.ts: runs the compiled engine (dist) so the
// parent can SIGKILL a real process in the middle of a projection catch-up.
//   node catchup-child.mjs catchup <events> <reads> <batchSize>   live engine catch-up to the head, then exit 0
//   node catchup-child.mjs rebuild <events> <reads> <batchSize>   from-scratch ProjectionEngine.rebuild
// <events>/<reads> are a SQLite file, or `postgres://…#schema` for PostgreSQL.
import { ProjectionEngine } from '../../../dist/src/projections-runtime/projection-engine.js';

const [mode, eventsSpec, readSpec, batch = '250'] = process.argv.slice(2);
const pg = (spec) => {
  const [url, schema] = spec.split('#');
  return { url, schema };
};

/** Counts ticks per counter with increments: a double-applied event shows as a wrong n/sum. */
const ticks = {
  name: 'crash_ticks',
  collections: [{ name: 'crash_ticks' }],
  handles: ['Ticked'],
  async apply(e, tx) {
    await tx
      .collection('crash_ticks')
      .patch(`c${e.data.counter}`, { inc: { n: 1, sum: e.data.value }, set: { last_position: e.position } }, { upsert: true });
  },
};

async function openEvents(spec) {
  if (spec.startsWith('postgres')) {
    const { PostgresEventStore } = await import('../../../dist/src/eventstore/postgres-event-store.js');
    return PostgresEventStore.connect(pg(spec).url, { schema: pg(spec).schema });
  }
  const { SqliteEventStore } = await import('../../../dist/src/eventstore/sqlite-event-store.js');
  return new SqliteEventStore(spec);
}
async function openReads(spec) {
  if (spec.startsWith('postgres')) {
    const { PostgresReadStore } = await import('../../../dist/src/readstore/postgres-read-store.js');
    return PostgresReadStore.connect(pg(spec).url, { schema: pg(spec).schema });
  }
  const { SqliteReadStore } = await import('../../../dist/src/readstore/sqlite-read-store.js');
  return new SqliteReadStore(spec);
}

const events = await openEvents(eventsSpec);
const reads = await openReads(readSpec);
const engine = new ProjectionEngine(events, reads, [ticks], { batchSize: Number(batch) });

if (mode === 'rebuild') {
  await engine.prepare();
  await engine.rebuild('crash_ticks');
} else if (mode === 'catchup') {
  await engine.start();
  process.stdout.write('started\n');
  for (;;) {
    const [s] = await engine.status();
    if (s.lag === 0) break;
    if (engine.error) throw engine.error;
    await new Promise((r) => setTimeout(r, 20));
  }
  await engine.stop();
} else {
  throw new Error(`unknown mode ${mode}`);
}
await reads.close();
await events.close();
process.stdout.write('done\n');
