import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { SqliteKeyStore } from '../../src/privacy/key-store.js';

/** The files a sealing-store spec works on: a temp dir, its event store (clock fixed), key store and a server key. */
export interface SealFiles<K extends SqliteKeyStore = SqliteKeyStore> {
  dir: string;
  raw: SqliteEventStore;
  keys: K;
  serverKey: Buffer;
}

export function openSealFiles<K extends SqliteKeyStore = SqliteKeyStore>(
  prefix: string,
  makeKeys: (file: string) => K = (file) => new SqliteKeyStore(file) as K,
): SealFiles<K> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    raw: new SqliteEventStore(join(dir, 'events.sqlite'), () => new Date('2026-03-02T08:00:00Z')),
    keys: makeKeys(join(dir, 'keys.sqlite')),
    serverKey: randomBytes(32),
  };
}

export async function closeSealFiles({ raw, keys, dir }: Pick<SealFiles, 'raw' | 'keys' | 'dir'>): Promise<void> {
  await raw.close();
  await keys.close();
  rmSync(dir, { recursive: true, force: true });
}
