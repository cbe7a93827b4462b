/**
 * Child process of the event-store contract suite: opens the SQLite file with its own
 * SqliteEventStore (a separate process and connection), waits for a shared start time so the
 * siblings race, appends, and prints one JSON line with the outcome.
 * argv: file stream expected(no_stream|any|number) startAtMs count
 */
import { ConcurrencyError, type ExpectedVersion } from '../../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../../src/eventstore/sqlite-event-store.js';

const [file, stream, expectedArg, startAtArg, countArg] = process.argv.slice(2) as [string, string, string, string, string];
const expected: ExpectedVersion = expectedArg === 'no_stream' || expectedArg === 'any' ? expectedArg : Number(expectedArg);
const store = new SqliteEventStore(file);
const count = Number(countArg || '1');
while (Date.now() < Number(startAtArg)) {
  // spin: every sibling starts appending at the same instant
}
try {
  const events = Array.from({ length: count }, (_, i) => ({ type: 'ChildAppended', data: { pid: process.pid, i } }));
  const res = await store.append(stream, events, expected);
  process.stdout.write(`${JSON.stringify({ ok: true, version: res.version, position: res.position })}\n`);
} catch (err) {
  const conflict = err instanceof ConcurrencyError;
  process.stdout.write(`${JSON.stringify({ ok: false, conflict, message: String(err) })}\n`);
} finally {
  await store.close();
}
