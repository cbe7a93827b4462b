import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteKeyStore } from './key-store.js';
import { PersonalDataVault } from './vault.js';

const ANNA = 'a0000000-0000-4000-8000-00000000000a';
const BO = 'b0000000-0000-4000-8000-00000000000b';

describe('PersonalDataVault key cache', () => {
  let dir: string;
  let keys: SqliteKeyStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'plq-vault-'));
    keys = new SqliteKeyStore(join(dir, 'keys.sqlite'));
  });
  afterEach(async () => {
    await keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cached key owns its 32 bytes: a slice of the shared Buffer pool would keep an 8 KiB slab alive per person', async () => {
    const serverKey = randomBytes(32);
    const first = new PersonalDataVault(keys, serverKey);
    await first.prepare([ANNA], true); // created (and cached) by one vault
    const vault = new PersonalDataVault(keys, serverKey);
    await vault.prepare([ANNA, BO], true); // ANNA unwrapped from the store, BO created
    const cache = (vault as unknown as { cache: Map<string, { key: Buffer }> }).cache;
    for (const subject of [ANNA, BO]) {
      const key = cache.get(subject)!.key;
      expect(key.length).toBe(32);
      expect(key.buffer.byteLength).toBe(32);
    }
    // and the keys still work: what one vault seals, the other opens
    expect(vault.openValue(first.sealValue(ANNA, 'anna@club.test'))).toBe('anna@club.test');
  });
});
