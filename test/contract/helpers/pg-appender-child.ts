/**
 * Child of the PostgreSQL concurrency test (compiled to plain JS by the harness): after "go" on
 * stdin it appends `appends` times to streams chosen at random among `streams`, half with the
 * expected version it just read (retrying on a conflict) and half with 'any', then prints one
 * JSON line with every acknowledged append.
 * argv: url schema streams appends
 */
import { ConcurrencyError } from '../../../src/eventstore/event-store.port.js';
import { PostgresEventStore } from '../../../src/eventstore/postgres-event-store.js';

const [url, schema, streamsArg, appendsArg] = process.argv.slice(2) as [string, string, string, string];
const store = await PostgresEventStore.connect(url, { schema });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.destroy();

const acks: Array<{ stream: string; version: number; position: number; ids: string[]; positions: number[] }> = [];
let conflicts = 0;
for (let i = 0; i < Number(appendsArg); i++) {
  const stream = `s-${Math.floor(Math.random() * Number(streamsArg))}`;
  const events = Array.from({ length: 1 + (i % 3) }, (_, j) => ({ type: 'Raced', data: { pid: process.pid, i, j } }));
  for (;;) {
    const expected = i % 2 === 0 ? 'any' : await store.streamVersion(stream);
    try {
      const res = await store.append(stream, events, expected === -1 ? 'no_stream' : expected);
      acks.push({
        stream,
        version: res.version,
        position: res.position,
        ids: res.events.map((e) => e.id),
        positions: res.events.map((e) => e.position),
      });
      break;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      conflicts++;
    }
  }
}
process.stdout.write(`${JSON.stringify({ ok: true, acks, conflicts })}\n`);
await store.close();
