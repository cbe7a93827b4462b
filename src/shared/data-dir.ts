import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { logger } from './logger.js';

/**
 * The data directory holds password hashes, e-mail addresses, IPs, key files, the outbox and the
 * job queue: only its owner may read it. Created 0700; an existing one of ours that is open to
 * group or others (an older install, a permissive umask) is tightened. A directory that belongs
 * to someone else is never touched (only warned about).
 */
export function secureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
}

/** A file that must be private: created empty with mode 0600 if missing, else tightened to 0600. */
export function securePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  tighten(file, 0o600);
}

function tighten(path: string, mode: number): void {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if ((st.mode & 0o777) === mode) return;
  // a shared directory like /tmp (sticky bit) is never ours to close, even when running as root
  if (st.isDirectory() && (st.mode & 0o1000) !== 0) return;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    logger.warn({ path, mode: (st.mode & 0o777).toString(8) }, 'data path not owned by this process: permissions left as they are');
    return;
  }
  chmodSync(path, mode);
}

/** The SQLite file and its WAL and shared-memory companions (SQLite creates those with the main file's mode). */
export const sqliteFiles = (file: string) => [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
