import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Opens a SQLite file with the settings every embedded store uses: WAL (readers never block
 * the writer), synchronous=NORMAL (durable at checkpoints, safe against corruption; the
 * benchmark compares at the same level), and a busy timeout so two processes on one file wait
 * instead of failing.
 */
export function openSqlite(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
