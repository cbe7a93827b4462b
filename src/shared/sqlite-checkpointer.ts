import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a background thread. SQLite's default runs a checkpoint (copying the WAL's
 * pages into the database file, then an fsync) inside whichever COMMIT pushes the WAL past 1,000
 * pages: on the hot path that is a request's main thread. Here one worker thread per process has
 * its own connection to each registered file and runs PRAGMA wal_checkpoint(PASSIVE) when the
 * WAL passes SQLite's own threshold (checked every `intervalMs`); PASSIVE never waits for readers or writers (it copies what it can), so neither
 * side blocks the other. The main connection keeps a high wal_autocheckpoint as the bound on the
 * WAL if the worker falls behind or is stuck (see openSqlite).
 *
 * The worker is unref'd (it never keeps the process alive) and ends when its last file is
 * released; `release` resolves once the worker's connection to that file is closed, so the main
 * connection closing afterwards is the last one (it checkpoints and removes the WAL as before).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const Database = require(workerData.driver);
const dbs = new Map();
const header = Buffer.alloc(100);
const le = require('node:os').endianness() === 'LE';
// frames in the WAL not yet copied into the database file, from the wal-index (-shm) header:
// mxFrame at byte 16, nBackfill at byte 96, native byte order (sqlite.org/walformat.html)
const pending = (file) => {
  const fd = openSync(file + '-shm', 'r');
  try { readSync(fd, header, 0, 100, 0); } finally { closeSync(fd); }
  const at = (o) => (le ? header.readUInt32LE(o) : header.readUInt32BE(o));
  return at(16) - at(96);
};
const tick = () => {
  for (const [id, { db, file }] of dbs) {
    try {
      if (pending(file) >= workerData.minFrames) db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      // the file is gone or unusable: stop checkpointing it, the main connection's bound holds
      try { db.close(); } catch {}
      dbs.delete(id);
      parentPort.postMessage({ op: 'failed', id, message: String(err && err.message) });
    }
  }
};
setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m.op === 'open') {
    try {
      const db = new Database(m.file, { fileMustExist: true });
      db.pragma('busy_timeout = 1000');
      dbs.set(m.id, { db, file: m.file });
    } catch (err) {
      parentPort.postMessage({ op: 'failed', id: m.id, message: String(err && err.message) });
    }
  } else if (m.op === 'close') {
    const entry = dbs.get(m.id);
    dbs.delete(m.id);
    try { if (entry) entry.db.close(); } catch {}
    parentPort.postMessage({ op: 'closed', id: m.id });
  }
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class SqliteCheckpointer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly open = new Set<number>();
  private readonly closing = new Map<number, () => void>();

  /**
   * Every `intervalMs` the thread checkpoints a file whose WAL holds at least `minFrames` frames
   * not yet copied back: 1,000 is SQLite's own autocheckpoint threshold, so the WAL has the same
   * size and generations as without the thread (tools that read it, like the commit counter of
   * the tests, see what they saw before); only the thread doing the work is another.
   */
  constructor(
    private readonly intervalMs = 100,
    private readonly minFrames = 1000,
  ) {}

  /** Starts checkpointing `file` in the background; the id is for `release`. */
  register(file: string): number {
    const id = this.nextId++;
    this.open.add(id);
    this.ensureWorker().postMessage({ op: 'open', id, file });
    return id;
  }

  /** Closes the worker's connection to the file; the worker ends with its last file. */
  release(id: number): Promise<void> {
    if (!this.open.delete(id) || !this.worker) return Promise.resolve();
    const worker = this.worker;
    return new Promise<void>((resolve) => {
      this.closing.set(id, resolve);
      worker.postMessage({ op: 'close', id });
    }).then(async () => {
      if (this.open.size === 0 && this.closing.size === 0 && this.worker === worker) {
        this.worker = null;
        await worker.terminate();
      }
    });
  }

  /** How many files are checkpointed in the background now (tests). */
  get files(): number {
    return this.open.size;
  }

  /** Whether a worker thread exists now (tests: none may outlive the last file). */
  get running(): boolean {
    return this.worker !== null;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, intervalMs: this.intervalMs, minFrames: this.minFrames },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    worker.on('message', (m: { op: string; id: number; message?: string }) => {
      if (m.op === 'closed') {
        this.closing.get(m.id)?.();
        this.closing.delete(m.id);
      }
      // 'failed': that file goes without background checkpoints; the main connection's
      // autocheckpoint bound still holds its WAL
    });
    const settleAll = () => {
      for (const resolve of this.closing.values()) resolve();
      this.closing.clear();
      if (this.worker === worker) this.worker = null;
    };
    worker.on('error', settleAll);
    worker.on('exit', settleAll);
    this.worker = worker;
    return worker;
  }
}

/** The process's one checkpointer. */
export const checkpointer = new SqliteCheckpointer();
