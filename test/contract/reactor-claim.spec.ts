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

    it('each event is reacted to exactly once, whichever process gets it, across a restart of one of them', async () => {
      const reacted: Array<{ side: number; id: string }> = [];
      const reactor = (side: number) => ({
        name: 'mailer',
        handles: ['Noticed'],
        react: async (e: StoredEvent) => {
          reacted.push({ side, id: e.id });
          await new Promise((r) => setImmediate(r)); // an effect takes a moment: the other side gets its chance to collide
        },
      });
      // checkpoint moves over pages with nothing to mail are coalesced; written every 50 ms here
      const startEngine = async (side: number) => {
        const engine = new ReactorEngine(sides[side]!.events, sides[side]!.reads, [reactor(side)], undefined, { checkpointEveryMs: 50 });
        engines.push(engine);
        await engine.start();
        return engine;
      };
      for (let side = 0; side < 2; side++) sides.push(await stores.open());
      let running = [await startEngine(0), await startEngine(1)];
      // appends through both sides, interleaved with events and pages the reactor does not handle
      const appended: string[] = [];
      const load = (from: number, n: number) =>
        Promise.all(
          Array.from({ length: n }, async (_, k) => {
            const i = from + k;
            const r = await sides[i % 2]!.events.append(
              `thing-${i}`,
              i % 3 === 2
                ? [{ type: 'Ignored', data: { i }, metadata: {} }]
                : [
                    { type: 'Noticed', data: { i }, metadata: {} },
                    { type: 'Ignored', data: { i }, metadata: {} },
                  ],
              'no_stream',
            );
            if (r.events[0]!.type === 'Noticed') appended.push(r.events[0]!.id);
          }),
        );
      const settled = async () => {
        const head = await sides[0]!.events.headPosition();
        for (const e of running) expect(await e.waitFor(head, 20_000)).toBe(true);
      };
      await load(0, 60);
      await settled();
      // one process restarts (its stop writes its coalesced checkpoint) while the other goes on
      await running[1]!.stop();
      const during = load(60, 30);
      running = [running[0]!, await startEngine(1)];
      await during;
      await load(90, 30);
      await settled();
      const ids = reacted.map((r) => r.id);
      expect(ids.length).toBe(new Set(ids).size); // nothing twice
      expect(new Set(ids)).toEqual(new Set(appended)); // nothing missed
      expect(new Set(reacted.map((r) => r.side))).toEqual(new Set([0, 1])); // both took part
    });
  },
);
