import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StoredEvent } from '../../src/eventstore/event-store.port.js';
import { PostgresEventStore } from '../../src/eventstore/postgres-event-store.js';
import { verifyChain } from '../../src/eventstore/hash-chain.js';
import { dropSchema, freshSchema, PG_URL } from '../support/postgres.js';
import { compileChild, runChild } from './helpers/event-store-harness.js';

const PROCESSES = 8;
const APPENDS = 100;
const STREAMS = 12;

interface Ack {
  stream: string;
  version: number;
  position: number;
  ids: string[];
  positions: number[];
}

/**
 * The trap of a SQL event log: with positions from a sequence, transaction A takes 7, B takes 8,
 * B commits first; a reader sees 8 and moves its checkpoint past 7, which then appears behind
 * it. Eight OS processes append at once while readers tail the log with small pages and no
 * pause; every reader must have seen every event exactly once, in order, with no hole that was
 * filled later, and every stream's versions must be exactly 0..n-1.
 */
(PG_URL ? describe : describe.skip)('PostgreSQL event store under 8 concurrent appender processes', () => {
  const url = PG_URL!;
  const schema = freshSchema('race');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-race-'));
  afterAll(async () => {
    await dropSchema(url, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('readers never see a gap that later fills; per-stream versions are exact; every ack is in the log', async () => {
    const setup = await PostgresEventStore.connect(url, { schema });
    await setup.close();
    const script = compileChild(dir, 'test/contract/helpers/pg-appender-child.ts');
    const children = Array.from({ length: PROCESSES }, () => runChild(script, [url, schema, String(STREAMS), String(APPENDS)]));
    await Promise.all(children.map((c) => c.ready));

    const readers = await Promise.all([1, 2, 3].map(() => PostgresEventStore.connect(url, { schema })));
    let writing = true;
    const holes: string[] = [];
    const tail = async (store: PostgresEventStore, limit: number): Promise<StoredEvent[]> => {
      const seen: StoredEvent[] = [];
      let checkpoint = 0;
      for (;;) {
        const done = !writing; // read once more after the writers finished
        const page = await store.readAll({ from: checkpoint, limit });
        for (const e of page) {
          // positions are dense, so a reader's next event is always checkpoint + 1: anything else is a hole
          if (e.position !== checkpoint + 1) holes.push(`saw ${e.position} right after ${checkpoint}`);
          seen.push(e);
          checkpoint = e.position;
        }
        if (done && page.length < limit) return seen;
      }
    };
    const reading = readers.map((r, i) => tail(r, [5, 17, 100][i]!));
    for (const c of children) c.go();
    const outcomes = (await Promise.all(children.map((c) => c.outcome))) as unknown as Array<{ acks: Ack[]; conflicts: number }>;
    writing = false;
    const seenByReader = await Promise.all(reading);

    const log = await readers[0]!.readAll({ from: 0, limit: 100_000 });
    const acks = outcomes.flatMap((o) => o.acks);
    expect(acks).toHaveLength(PROCESSES * APPENDS);
    expect(holes).toEqual([]);
    expect(log.map((e) => e.position)).toEqual(log.map((_, i) => i + 1));
    for (const seen of seenByReader) expect(seen.map((e) => e.id)).toEqual(log.map((e) => e.id));

    // every acknowledged event is in the log at the position and version the append returned
    const byId = new Map(log.map((e) => [e.id, e]));
    for (const a of acks) {
      a.ids.forEach((id, i) => {
        const e = byId.get(id);
        expect(e).toMatchObject({ stream: a.stream, position: a.positions[i], version: a.version - (a.ids.length - 1 - i) });
      });
    }
    expect(acks.reduce((n, a) => n + a.ids.length, 0)).toBe(log.length);

    for (let s = 0; s < STREAMS; s++) {
      const events = await readers[0]!.readStream(`s-${s}`);
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i));
      expect(verifyChain(events)).toBeNull();
    }
    for (const r of readers) await r.close();
    // the optimistic half of the appends really raced
    expect(outcomes.reduce((n, o) => n + o.conflicts, 0)).toBeGreaterThan(0);
  }, 120_000);
});
