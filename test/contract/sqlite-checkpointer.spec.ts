/**
 * WAL checkpoints of hot-path files run on the background checkpointer thread, not in a COMMIT
 * of the main connection; closing lets go of the file completely (no thread left, the WAL
 * removed as before), and other connections on the file (the CLI, a second server) are unaffected.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { BACKGROUND_WAL_BOUND_PAGES, closeSqlite, openSqlite, truncateWal } from '../../src/shared/sqlite.js';
import { checkpointer } from '../../src/shared/sqlite-checkpointer.js';
import { uid, waitFor } from './helpers/event-store-harness.js';

describe('SQLite background checkpoints', () => {
  let dir: string;
  const opened: SqliteEventStore[] = [];
  const open = (file: string, checkpoints?: 'inline' | 'background') => {
    const s = new SqliteEventStore(file, () => new Date(), 100, { checkpoints });
    opened.push(s);
    return s;
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sqlite-ckpt-'));
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Frames in the WAL and how many of them are copied into the database file, asked without checkpointing. */
  const walState = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      const [row] = db.pragma('wal_checkpoint(NOOP)') as Array<{ log: number; checkpointed: number }>;
      return row!;
    } finally {
      db.close();
    }
  };

  it('copies committed pages into the database file off the main connection, whose own checkpoint is only the bound', async () => {
    const file = path.join(dir, 'events.sqlite');
    const store = open(file);
    expect(store.database.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKGROUND_WAL_BOUND_PAGES);
    const before = statSync(file).size;
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 300; i++) await store.append(`s-${i % 7}`, [{ type: 'Filled', data: { i, big } }], 'any');
    // no commit since, and far below the main connection's bound: only the thread can copy the
    // WAL's frames into the database file
    await waitFor(
      () => {
        const wal = walState(file);
        return wal.log > 0 && wal.checkpointed === wal.log;
      },
      10_000,
      'every frame checkpointed',
    );
    expect(statSync(file).size).toBeGreaterThan(before + 300 * 2000);
  });

  it('leaves no thread and no WAL behind once the last file is closed', async () => {
    const file = path.join(dir, 'read.sqlite');
    const a = openSqlite(file, { checkpoints: 'background' });
    const b = new SqliteEventStore(path.join(dir, 'events.sqlite')); // closed by the test itself
    a.exec('CREATE TABLE t (x)');
    a.prepare('INSERT INTO t VALUES (1)').run();
    await b.append(`c-${uid()}`, [{ type: 'X', data: {} }], 'no_stream');
    expect(checkpointer.files).toBe(2);
    expect(checkpointer.running).toBe(true);
    await closeSqlite(a);
    expect(checkpointer.running).toBe(true);
    await b.close();
    expect(checkpointer.files).toBe(0);
    expect(checkpointer.running).toBe(false);
    // the main connection closed last: it checkpointed and removed the WAL, as without the thread
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(path.join(dir, 'events.sqlite-wal'))).toBe(false);
    // and the file opens again exclusively (no connection of ours is left on it)
    const again = new Database(file);
    again.pragma('locking_mode = EXCLUSIVE');
    expect(again.prepare('SELECT x FROM t').pluck().get()).toBe(1);
    again.close();
  });

  it('lets another connection read, write and truncate the WAL while the thread checkpoints', async () => {
    const file = path.join(dir, 'events.sqlite');
    const store = open(file);
    const other = open(file, 'inline');
    const big = 'y'.repeat(4000);
    for (let i = 0; i < 200; i++) {
      await (i % 2 ? other : store).append(`o-${i % 5}`, [{ type: 'Both', data: { i, big } }], 'any');
      if (i % 50 === 49) expect(truncateWal(other.database)).toBe(true);
    }
    expect((await store.readAll({ from: 0, limit: 1000 })).map((e) => e.data.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(truncateWal(store.database)).toBe(true);
    expect(statSync(`${file}-wal`).size).toBe(0);
  });
});
