import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { secureDir, securePrivateFile, sqliteFiles } from './data-dir.js';

/**
 * Opens a SQLite file with the settings every embedded store uses: WAL (readers never block
 * the writer), synchronous=NORMAL (durable at checkpoints, safe against corruption; the
 * benchmark compares at the same level), and a busy timeout so two processes on one file wait
 * instead of failing. The directory is 0700 and the file 0600 before SQLite opens it, so the
 * -wal and -shm files SQLite creates beside it get 0600 too (it copies the main file's mode);
 * existing ones from an older install are tightened.
 */
export function openSqlite(file: string): Database.Database {
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
  return db;
}
