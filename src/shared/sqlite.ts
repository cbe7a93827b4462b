import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { secureDir, securePrivateFile, sqliteFiles } from './data-dir.js';
import { checkpointer } from './sqlite-checkpointer.js';

export interface SqliteOptions {
  /**
   * 'background' for files written on the hot path: WAL checkpoints run on the checkpointer's
   * thread, not inside a request's COMMIT (measured with `npm run bench -- append` (b)); close
   * such a handle with closeSqlite. 'inline' (default): SQLite's own autocheckpoint.
   */
  checkpoints?: 'inline' | 'background';
}

/**
 * The WAL size (pages, 4 KiB each) at which a connection with background checkpoints still
 * checkpoints inline: only reached when the checkpointer thread is stuck or far behind, so the
 * WAL stays bounded as it does with SQLite's default of 1,000 pages.
 */
export const BACKGROUND_WAL_BOUND_PAGES = 16_384;

const registrations = new WeakMap<Database.Database, number>();

/**
 * Opens a SQLite file with the settings every embedded store uses: WAL (readers never block
 * the writer), synchronous=NORMAL (durable at checkpoints, safe against corruption; the
 * benchmark compares at the same level), and a busy timeout so two processes on one file wait
 * instead of failing. The directory is 0700 and the file 0600 before SQLite opens it, so the
 * -wal and -shm files SQLite creates beside it get 0600 too (it copies the main file's mode);
 * existing ones from an older install are tightened.
 */
export function openSqlite(file: string, options: SqliteOptions = {}): Database.Database {
  if (file !== ':memory:') {
    secureDir(dirname(file));
    securePrivateFile(file);
    for (const f of sqliteFiles(file).slice(1)) if (existsSync(f)) securePrivateFile(f);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (options.checkpoints === 'background' && file !== ':memory:') {
    db.pragma(`wal_autocheckpoint = ${BACKGROUND_WAL_BOUND_PAGES}`);
    registrations.set(db, checkpointer.register(file));
  }
  return db;
}

/** Closes a handle of openSqlite, after the background checkpointer let go of its file. */
export async function closeSqlite(db: Database.Database): Promise<void> {
  const id = registrations.get(db);
  if (id !== undefined) {
    registrations.delete(db);
    await checkpointer.release(id);
  }
  if (db.open) db.close();
}

/**
 * wal_checkpoint(TRUNCATE) that really truncates: a checkpoint already running on another
 * connection (the background checkpointer's PASSIVE, a second process) makes SQLite answer
 * busy at once, without its busy handler; try again for up to `timeoutMs`.
 */
export function truncateWal(db: Database.Database, timeoutMs = 5000): boolean {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    if (!row || row.busy === 0) return true;
    if (Date.now() > until) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  }
}
