import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import type { EventStore, NewEvent } from '../../src/eventstore/event-store.port.js';
import { ensureBuilt } from './helpers/run-cli.js';
import { dropSchema, freshSchema, PG_URL, pgQuery } from '../support/postgres.js';

const CHILD = join(import.meta.dirname, 'helpers', 'catchup-child.mjs');
const COUNTERS = 997;

/** Where the child keeps events and read models, and how the parent looks at them behind its back. */
interface Storage {
  /** The child's <events> argument, and an EventStore on it for seeding. */
  events: string;
  openEvents(): Promise<EventStore>;
  /** A read store location for the child (a file, or a PostgreSQL schema). */
  reads(name: string): string;
  /** The crash_ticks checkpoint in a read store, or null before the child created it. */
  checkpoint(reads: string): Promise<number | null>;
  readModel(reads: string): Promise<Array<{ id: string; doc: unknown }>>;
  cleanup(): Promise<void>;
}

function sqliteStorage(): Storage {
  const dir = mkdtempSync(join(tmpdir(), 'plq-crash-'));
  const events = join(dir, 'events.sqlite');
  return {
    events,
    openEvents: async () => new SqliteEventStore(events),
    reads: (name) => join(dir, name, 'read.sqlite'),
    async checkpoint(readFile) {
      try {
        const db = new Database(readFile, { readonly: true, fileMustExist: true });
        try {
          return (
            db.prepare<[], { position: number }>("SELECT position FROM checkpoints WHERE name = 'crash_ticks'").get()?.position ?? null
          );
        } finally {
          db.close();
        }
      } catch {
        return null; // the child has not created the file or table yet
      }
    },
    async readModel(readFile) {
      const db = new Database(readFile, { readonly: true });
      try {
        return db
          .prepare<[], { id: string; doc: string }>('SELECT id, doc FROM rm_crash_ticks ORDER BY id')
          .all()
          .map((r) => ({ id: r.id, doc: JSON.parse(r.doc) }));
      } finally {
        db.close();
      }
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresStorage(url: string): Storage {
  const schemas = new Map<string, string>([['events', freshSchema('crash_es')]]);
  const schemaOf = (name: string) => {
    if (!schemas.has(name)) schemas.set(name, freshSchema(`crash_${name}`));
    return schemas.get(name)!;
  };
  return {
    events: `${url}#${schemaOf('events')}`,
    async openEvents() {
      const { PostgresEventStore } = await import('../../src/eventstore/postgres-event-store.js');
      return PostgresEventStore.connect(url, { schema: schemaOf('events') });
    },
    reads: (name) => `${url}#${schemaOf(name)}`,
    async checkpoint(reads) {
      try {
        const rows = await pgQuery<{ position: string }>(
          url,
          reads.split('#')[1]!,
          "SELECT position FROM checkpoints WHERE name = 'crash_ticks'",
        );
        return rows[0] ? Number(rows[0].position) : null;
      } catch {
        return null;
      }
    },
    async readModel(reads) {
      const rows = await pgQuery<{ id: string; doc: unknown }>(
        url,
        reads.split('#')[1]!,
        'SELECT id, doc FROM rm_crash_ticks ORDER BY id COLLATE "C"',
      );
      return rows.map((r) => ({ id: r.id, doc: r.doc }));
    },
    async cleanup() {
      for (const s of schemas.values()) await dropSchema(url, s);
    },
  };
}

function startChild(mode: 'catchup' | 'rebuild', events: string, reads: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD, mode, events, reads, '250'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`child ${mode} exited ${code}: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { child, exited };
}

/** Polls the checkpoint from another connection until `pred` holds; returns it. */
async function waitForCheckpoint(storage: Storage, reads: string, pred: (cp: number) => boolean, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cp = await storage.checkpoint(reads);
    if (cp !== null && pred(cp)) return cp;
    if (Date.now() > deadline) throw new Error('checkpoint never reached the expected range');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `events` sized so a catch-up takes many pages on the engine (PostgreSQL pays a round trip per document). */
function crashSafety(engine: string, makeStorage: () => Storage, EVENTS: number): void {
  describe(`crash safety of projection catch-up on ${engine} (real child process, SIGKILL)`, () => {
    let storage: Storage;
    const expected = new Map<string, { n: number; sum: number }>();

    beforeAll(async () => {
      ensureBuilt();
      storage = makeStorage();
      const es = await storage.openEvents();
      const perStream = new Map<number, number>();
      for (let i = 0; i < EVENTS; i += 100) {
        const stream = (i / 100) % 200;
        const batch: NewEvent[] = [];
        for (let j = i; j < i + 100; j++) {
          const counter = (j * 31) % COUNTERS;
          const value = (j % 13) + 1;
          batch.push({ type: j % 50 === 0 ? 'Noise' : 'Ticked', data: { counter, value } });
          if (j % 50 !== 0) {
            const e = expected.get(`c${counter}`) ?? { n: 0, sum: 0 };
            expected.set(`c${counter}`, { n: e.n + 1, sum: e.sum + value });
          }
        }
        const v = perStream.get(stream) ?? -1;
        const res = await es.append(`ticker-${stream}`, batch, v === -1 ? 'no_stream' : v);
        perStream.set(stream, res.version);
      }
      expect(await es.headPosition()).toBe(EVENTS);
      await es.close();
    }, 240_000);

    afterAll(() => storage.cleanup());

    it('killed twice mid catch-up, restarted, equals a from-scratch rebuild with no double-applied increments', async () => {
      const readFile = storage.reads('live');
      const eventsFile = storage.events;

      // 1st run: kill as soon as some pages are committed
      const first = startChild('catchup', eventsFile, readFile);
      const killedAt1 = await waitForCheckpoint(storage, readFile, (cp) => cp > 0);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();
      const after1 = await waitForCheckpoint(storage, readFile, () => true);
      expect(after1).toBeGreaterThanOrEqual(killedAt1);
      expect(after1).toBeLessThan(EVENTS);

      // 2nd run resumes from the checkpoint; kill it again further on
      const second = startChild('catchup', eventsFile, readFile);
      const killedAt2 = await waitForCheckpoint(storage, readFile, (cp) => cp > after1);
      second.child.kill('SIGKILL');
      expect(await second.exited).toBeNull();
      const after2 = await waitForCheckpoint(storage, readFile, () => true);
      expect(after2).toBeGreaterThanOrEqual(killedAt2);
      expect(after2).toBeLessThan(EVENTS);

      // 3rd run finishes
      const third = startChild('catchup', eventsFile, readFile);
      expect(await third.exited).toBe(0);
      expect(await waitForCheckpoint(storage, readFile, () => true)).toBe(EVENTS);

      // reference: a from-scratch rebuild into a separate directory
      const rebuiltFile = storage.reads('rebuilt');
      const rebuild = startChild('rebuild', eventsFile, rebuiltFile);
      expect(await rebuild.exited).toBe(0);

      const live = await storage.readModel(readFile);
      const rebuilt = await storage.readModel(rebuiltFile);
      expect(live.length).toBe(COUNTERS);
      expect(live).toEqual(rebuilt);
      // and both equal the arithmetic truth: every increment applied exactly once
      for (const { id, doc } of live) {
        const want = expected.get(id)!;
        expect({ id, n: (doc as { n: number }).n, sum: (doc as { sum: number }).sum }).toEqual({ id, ...want });
      }
    }, 240_000);
  });
}

crashSafety('sqlite', sqliteStorage, 200_000);
(PG_URL ? describe : describe.skip)('PostgreSQL (DATABASE_URL)', () => crashSafety('postgres', () => postgresStorage(PG_URL!), 15_000));
