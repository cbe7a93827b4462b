import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import type { NewEvent } from '../../src/eventstore/event-store.port.js';
import { ensureBuilt } from './helpers/run-cli.js';

const CHILD = join(import.meta.dirname, 'helpers', 'catchup-child.mjs');
const EVENTS = 200_000;
const COUNTERS = 997;

function startChild(
  mode: 'catchup' | 'rebuild',
  eventsFile: string,
  readFile: string,
): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CHILD, mode, eventsFile, readFile, '250'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
async function waitForCheckpoint(readFile: string, pred: (cp: number) => boolean, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const db = new Database(readFile, { readonly: true, fileMustExist: true });
      try {
        const row = db.prepare<[], { position: number }>("SELECT position FROM checkpoints WHERE name = 'crash_ticks'").get();
        if (row && pred(row.position)) return row.position;
      } finally {
        db.close();
      }
    } catch {
      // the child has not created the file or table yet
    }
    if (Date.now() > deadline) throw new Error('checkpoint never reached the expected range');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function readModel(readFile: string): Array<{ id: string; doc: unknown }> {
  const db = new Database(readFile, { readonly: true });
  try {
    return db
      .prepare<[], { id: string; doc: string }>('SELECT id, doc FROM rm_crash_ticks ORDER BY id')
      .all()
      .map((r) => ({ id: r.id, doc: JSON.parse(r.doc) }));
  } finally {
    db.close();
  }
}

describe('crash safety of projection catch-up (real child process, SIGKILL)', () => {
  let dir: string;
  let eventsFile: string;
  const expected = new Map<string, { n: number; sum: number }>();

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'plq-crash-'));
    eventsFile = join(dir, 'events.sqlite');
    const es = new SqliteEventStore(eventsFile);
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

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('killed twice mid catch-up, restarted, equals a from-scratch rebuild with no double-applied increments', async () => {
    const readFile = join(dir, 'live', 'read.sqlite');

    // 1st run: kill as soon as some pages are committed
    const first = startChild('catchup', eventsFile, readFile);
    const killedAt1 = await waitForCheckpoint(readFile, (cp) => cp > 0);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const after1 = await waitForCheckpoint(readFile, () => true);
    expect(after1).toBeGreaterThanOrEqual(killedAt1);
    expect(after1).toBeLessThan(EVENTS);

    // 2nd run resumes from the checkpoint; kill it again further on
    const second = startChild('catchup', eventsFile, readFile);
    const killedAt2 = await waitForCheckpoint(readFile, (cp) => cp > after1);
    second.child.kill('SIGKILL');
    expect(await second.exited).toBeNull();
    const after2 = await waitForCheckpoint(readFile, () => true);
    expect(after2).toBeGreaterThanOrEqual(killedAt2);
    expect(after2).toBeLessThan(EVENTS);

    // 3rd run finishes
    const third = startChild('catchup', eventsFile, readFile);
    expect(await third.exited).toBe(0);
    expect(await waitForCheckpoint(readFile, () => true)).toBe(EVENTS);

    // reference: a from-scratch rebuild into a separate directory
    const rebuiltFile = join(dir, 'rebuilt', 'read.sqlite');
    const rebuild = startChild('rebuild', eventsFile, rebuiltFile);
    expect(await rebuild.exited).toBe(0);

    const live = readModel(readFile);
    const rebuilt = readModel(rebuiltFile);
    expect(live.length).toBe(COUNTERS);
    expect(live).toEqual(rebuilt);
    // and both equal the arithmetic truth: every increment applied exactly once
    for (const { id, doc } of live) {
      const want = expected.get(id)!;
      expect({ id, n: (doc as { n: number }).n, sum: (doc as { sum: number }).sum }).toEqual({ id, ...want });
    }
  }, 240_000);
});
