import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a background thread. SQLite's default runs a checkpoint (copying the WAL's
 * pages into the database file, then an fsync) inside whichever COMMIT pushes the WAL past 1,000
 * pages: on the hot path that is a request's main thread. Here one worker thread per process has
 * its own connection to each registered file and runs PRAGMA wal_checkpoint(PASSIVE) every
 * `intervalMs`; PASSIVE never waits for readers or writers (it copies what it can), so neither
 * side blocks the other. The main connection keeps a high wal_autocheckpoint as the bound on the
 * WAL if the worker falls behind or is stuck (see openSqlite).
 *
 * The worker is unref'd (it never keeps the process alive) and ends when its last file is
 * released; `release` resolves once the worker's connection to that file is closed, so the main
 * connection closing afterwards is the last one (it checkpoints and removes the WAL as before).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const dbs = new Map();
const tick = () => {
  for (const [id, db] of dbs) {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      // the file is gone or unusable: stop checkpointing it, the main connection decides the rest
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
      dbs.set(m.id, db);
    } catch (err) {
      parentPort.postMessage({ op: 'failed', id: m.id, message: String(err && err.message) });
    }
  } else if (m.op === 'close') {
    const db = dbs.get(m.id);
    dbs.delete(m.id);
    try { if (db) db.close(); } catch {}
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

  constructor(private readonly intervalMs = 100) {}

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
      workerData: { driver, intervalMs: this.intervalMs },
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
