import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Counts the commits written to the embedded event store (`events.sqlite`) by reading its WAL the
 * way SQLite does: each frame header names its page, the database size after the commit (non-zero
 * only on a transaction's last frame) and the WAL's salts (frames of an older generation carry
 * others). No hook into our code: what is counted is what reached the file.
 */
export class EventStoreCommits {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'events.sqlite');
  }

  /** Checkpoints and empties the WAL, so the next commits start a fresh generation that is counted whole. */
  reset(): void {
    const db = new Database(this.file);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }

  /** Commits in the WAL since the last reset. */
  count(): number {
    const wal = `${this.file}-wal`;
    if (!existsSync(wal)) return 0;
    const bytes = Buffer.alloc(statSync(wal).size);
    const fd = openSync(wal, 'r');
    try {
      readSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      closeSync(fd);
    }
    if (bytes.length < 32) return 0;
    const pageSize = bytes.readUInt32BE(8);
    const salt = bytes.subarray(16, 24);
    let commits = 0;
    for (let at = 32; at + 24 + pageSize <= bytes.length; at += 24 + pageSize) {
      if (!bytes.subarray(at + 8, at + 16).equals(salt)) break;
      if (bytes.readUInt32BE(at + 4) !== 0) commits++;
    }
    return commits;
  }
}
