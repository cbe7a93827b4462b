/**
 * Every projection of projections/registry.ts against the event log of a realistic scenario:
 * (1) each event applied twice in a row gives the same read model as once (at-least-once
 * delivery; a `set` turned into `inc` fails this), and (2) through the projection engine, pages
 * delivered again after newer ones and pages overlapping the checkpoint change nothing and never
 * move the checkpoint back (a removed checkpoint guard fails this). The once-applied model also
 * equals what the live app built. (A page overlapping the checkpoint re-applies its older events in
 * order, which converges for projections that pass (1); so the engine's per-event position filter
 * is what (1) makes safe to rely on, and (2) guards the page-level `checkpoint >= last` guard.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROJECTIONS } from '../../projections/registry.js';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../../src/eventstore/event-store.port.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import type { ProjectionDefinition } from '../../src/projections-runtime/projection.js';
import { READ_STORE, type ReadStore } from '../../src/readstore/read-store.port.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { dumpReadModel, runScenario, SCENARIO_ENV } from './scenario.js';

const PAGE = 7; // small pages, so that page edges fall between related events

let t: TestApp;
let events: StoredEvent[];
const stores: SqliteReadStore[] = [];
const dir = mkdtempSync(join(tmpdir(), 'plq-idem-'));

beforeAll(async () => {
  t = await startTestApp({ env: SCENARIO_ENV });
  await runScenario(t);
  const log = t.app.get<EventStore>(EVENT_STORE);
  events = [];
  for (let from = 0; ;) {
    const page = await log.readAll({ from, limit: 500 });
    if (!page.length) break;
    events.push(...page);
    from = page[page.length - 1]!.position;
  }
}, 120_000);
afterAll(async () => {
  for (const s of stores) await s.close?.();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function freshStore(p: ProjectionDefinition): Promise<SqliteReadStore> {
  const s = new SqliteReadStore(join(dir, `${p.name}-${stores.length}.sqlite`));
  stores.push(s);
  for (const c of p.collections) await s.ensureCollection(c);
  return s;
}

const dump = (store: ReadStore, p: ProjectionDefinition) =>
  dumpReadModel(
    store,
    p.collections.map((c) => c.name),
  );

const pages = (list: StoredEvent[]) => {
  const out: Array<{ after: number; batch: StoredEvent[] }> = [];
  for (let i = 0; i < list.length; i += PAGE) out.push({ after: i === 0 ? 0 : list[i - 1]!.position, batch: list.slice(i, i + PAGE) });
  return out;
};

it('the scenario produced a log that touches every projection', () => {
  expect(events.length).toBeGreaterThan(60);
  for (const p of ALL_PROJECTIONS) {
    const handled = events.filter((e) => p.handles.includes(e.type)).length;
    if (handled === 0) console.warn(`projection ${p.name}: the scenario has none of its events (${p.handles.join(', ')})`);
  }
  const touched = ALL_PROJECTIONS.filter((p) => events.some((e) => p.handles.includes(e.type)));
  expect(touched.length).toBeGreaterThanOrEqual(10);
});

describe.each(ALL_PROJECTIONS.map((p) => [p.name, p] as const))('projection %s', (_name, p) => {
  let once: Record<string, unknown>;

  beforeAll(async () => {
    const store = await freshStore(p);
    const engine = new ProjectionEngine(t.app.get(EVENT_STORE), store, [p]);
    for (const { after, batch } of pages(events)) await engine.applyBatch(batch, after, [p]);
    once = await dump(store, p);
  });

  it('applied once equals the live read model', async () => {
    expect(await dump(t.app.get<ReadStore>(READ_STORE), p)).toEqual(once);
  });

  it('each event applied twice gives the same read model', async () => {
    const store = await freshStore(p);
    for (const e of events) {
      if (!p.handles.includes(e.type)) continue;
      await store.transaction(async (tx) => {
        await p.apply(e, tx);
        await p.apply(e, tx);
      });
    }
    expect(await dump(store, p)).toEqual(once);
  });

  it('pages delivered again, late or overlapping the checkpoint, change nothing', async () => {
    const store = await freshStore(p);
    const engine = new ProjectionEngine(t.app.get(EVENT_STORE), store, [p]);
    const all = pages(events);
    for (const [i, { after, batch }] of all.entries()) {
      await engine.applyBatch(batch, after, [p]);
      // a page straddling the checkpoint: its first half was applied just now
      if (i + 1 < all.length) {
        const mid = Math.floor(PAGE / 2);
        await engine.applyBatch([...batch.slice(mid), ...all[i + 1]!.batch.slice(0, mid)], batch[mid - 1]!.position, [p]);
      }
    }
    const head = events[events.length - 1]!.position;
    await engine.applyBatch(events, 0, [p]); // the whole log once more in one page
    // every page once more, late and newest first, so the oldest (SessionStarted, UserRegistered, ...) come last
    for (const { after, batch } of [...all].reverse()) await engine.applyBatch(batch, after, [p]);
    expect(await dump(store, p)).toEqual(once);
    expect(await store.getCheckpoint(p.name)).toBe(head);
  });
});
