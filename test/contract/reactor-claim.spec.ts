import type { EventStore, StoredEvent } from '../../src/eventstore/event-store.port.js';
import { ReactorEngine } from '../../src/projections-runtime/reactor-engine.js';
import type { ReadStore } from '../../src/readstore/read-store.port.js';
import { dropSchema, freshSchema, PG_URL } from '../support/postgres.js';

/**
 * Two app processes run the same reactors on one store (each with its own connections, as two
 * processes have): every event is reacted to by one of them, never by both, and together they
 * handle every event.
 */
interface Side {
  events: EventStore;
  reads: ReadStore;
}
interface Stores {
  open(): Promise<Side>;
  cleanup(): Promise<void>;
}

function postgresStores(url: string): Stores {
  const schema = freshSchema('reactor');
  return {
    async open() {
      const { PostgresEventStore, PostgresReadStore } = await import('../../src/shared/postgres-adapters.js');
      return { events: await PostgresEventStore.connect(url, { schema }), reads: await PostgresReadStore.connect(url, { schema }) };
    },
    cleanup: () => dropSchema(url, schema),
  };
}

// SQLite is left to test/cli/two-processes.e2e-spec.ts: two connections to one file in ONE process
// deadlock on its busy wait (the waiting one blocks the event loop the holder needs to commit).
const kinds: Array<[string, () => Stores]> = PG_URL ? [['postgres', () => postgresStores(PG_URL!)]] : [];

(kinds.length ? describe.each(kinds) : describe.skip.each([['postgres (DATABASE_URL unset)', postgresStores.bind(null, '')]]))(
  'reactors in two processes on %s',
  (_kind, make) => {
    let stores: Stores;
    const sides: Side[] = [];
    const engines: ReactorEngine[] = [];
    beforeAll(() => {
      stores = make();
    });
    afterAll(async () => {
      for (const e of engines) await e.stop();
      for (const s of sides) {
        await s.events.close();
        await s.reads.close();
      }
      await stores.cleanup();
    });

    it('each event is reacted to exactly once, whichever process gets it', async () => {
      const reacted: Array<{ side: number; id: string }> = [];
      for (let side = 0; side < 2; side++) {
        const s = await stores.open();
        sides.push(s);
        const engine = new ReactorEngine(s.events, s.reads, [
          {
            name: 'mailer',
            handles: ['Noticed'],
            react: async (e: StoredEvent) => {
              reacted.push({ side, id: e.id });
              await new Promise((r) => setImmediate(r)); // an effect takes a moment: the other side gets its chance to collide
            },
          },
        ]);
        engines.push(engine);
        await engine.start();
      }
      // appends through both sides, interleaved with events the reactor does not handle
      const appended: string[] = [];
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const r = await sides[i % 2]!.events.append(
            `thing-${i}`,
            [
              { type: 'Noticed', data: { i }, metadata: {} },
              { type: 'Ignored', data: { i }, metadata: {} },
            ],
            'no_stream',
          );
          appended.push(r.events[0]!.id);
        }),
      );
      const head = await sides[0]!.events.headPosition();
      expect(await engines[0]!.waitFor(head, 20_000)).toBe(true);
      expect(await engines[1]!.waitFor(head, 20_000)).toBe(true);
      const ids = reacted.map((r) => r.id);
      expect(ids.length).toBe(new Set(ids).size); // nothing twice
      expect(new Set(ids)).toEqual(new Set(appended)); // nothing missed
    });
  },
);
