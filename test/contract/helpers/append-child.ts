/**
 * Child process of the event-store contract suite (compiled to plain JS by the harness, so the
 * child loads no TypeScript tooling): opens its own store on the shared storage (a separate
 * process and connection), prints "ready", waits for "go" on stdin so that all siblings race,
 * appends, and prints one JSON line with the outcome.
 * argv: engine(sqlite|postgres) location(file|url) schema(postgres; '-' for sqlite) stream expected(no_stream|any|number) count
 */
import { ConcurrencyError, type EventStore, type ExpectedVersion } from '../../../src/eventstore/event-store.port.js';
import { PostgresEventStore } from '../../../src/eventstore/postgres-event-store.js';
import { SqliteEventStore } from '../../../src/eventstore/sqlite-event-store.js';

const [engine, location, schema, stream, expectedArg, countArg] = process.argv.slice(2) as [string, string, string, string, string, string];
const expected: ExpectedVersion = expectedArg === 'no_stream' || expectedArg === 'any' ? expectedArg : Number(expectedArg);
const store: EventStore = engine === 'postgres' ? await PostgresEventStore.connect(location, { schema }) : new SqliteEventStore(location);
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.destroy();
try {
  const events = Array.from({ length: Number(countArg || '1') }, (_, i) => ({ type: 'ChildAppended', data: { pid: process.pid, i } }));
  const res = await store.append(stream, events, expected);
  process.stdout.write(`${JSON.stringify({ ok: true, version: res.version, position: res.position })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ ok: false, conflict: err instanceof ConcurrencyError, message: String(err) })}\n`);
} finally {
  await store.close();
}
