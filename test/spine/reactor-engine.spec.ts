/**
 * ReactorEngine on the real embedded stores: it writes its checkpoint once per page (not once
 * per event), so a page whose reaction fails part-way is delivered again from its start. What
 * must hold: every event is reacted to, an event handled before the failure comes again (which
 * is why `react` keys its effect by event id), the checkpoint ends at the page's last event,
 * and a restart on the same files delivers nothing twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ReactorEngine } from '../../src/projections-runtime/reactor-engine.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plq-reactor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = () => ({ events: new SqliteEventStore(join(dir, 'events.sqlite')), reads: new SqliteReadStore(join(dir, 'read.sqlite')) });

it('a page that fails part-way is delivered again from its start; the checkpoint ends at its last event; a restart repeats nothing', async () => {
  let s = open();
  const seen: number[] = [];
  let failOnce = true;
  const reactor = {
    name: 'probe',
    handles: ['Handled'],
    react: async (e: StoredEvent) => {
      if (e.data.n === 3 && failOnce) {
        failOnce = false;
        throw new Error('transient');
      }
      seen.push(e.data.n as number);
    },
  };
  let engine = new ReactorEngine(s.events, s.reads, [reactor]);
  await engine.start(); // a new reactor starts at the head (empty store: 0)
  // one page: the appends of one turn of the loop; Ignored events are passed over but counted
  const appended = await Promise.all(
    [1, 2, 3, 4, 5].map((n) => s.events.append(`probe-${n}`, [{ type: n === 4 ? 'Ignored' : 'Handled', data: { n } }], 'no_stream')),
  );
  const last = Math.max(...appended.map((a) => a.position));
  expect(await engine.waitFor(last, 10_000)).toBe(true);
  // 1 and 2 were reacted to before 3 failed, and again with the page's redelivery
  expect(seen).toEqual([1, 2, 1, 2, 3, 5]);
  expect((await s.reads.listCheckpoints())['reactor:probe']).toBe(last);
  await engine.stop();
  await s.events.close();
  await s.reads.close();

  s = open();
  engine = new ReactorEngine(s.events, s.reads, [reactor]);
  await engine.start();
  const next = await s.events.append('probe-6', [{ type: 'Handled', data: { n: 6 } }], 'no_stream');
  expect(await engine.waitFor(next.position, 10_000)).toBe(true);
  expect(seen).toEqual([1, 2, 1, 2, 3, 5, 6]);
  await engine.stop();
  await s.events.close();
  await s.reads.close();
}, 30_000);
