import { rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { verifyChain } from '../eventstore/hash-chain.js';
import { SqliteEventStore } from '../eventstore/sqlite-event-store.js';
import { SqliteKeyStore, type KeyRecord } from './key-store.js';
import { ERASED, keyedHash, personal } from './personal-data-rule.js';
import { SealingEventStore, keyedStreamName } from './sealing-event-store.js';
import { PersonalDataVault } from './vault.js';
import { openSealFiles } from '../../test/support/seal-files.js';

/** A real SQLite key store that counts its lookups (the hot path must not pay one per event). */
class CountingKeyStore extends SqliteKeyStore {
  gets = 0;
  override get(subjects: readonly string[]): Promise<Map<string, KeyRecord>> {
    this.gets++;
    return super.get(subjects);
  }
}

const ANNA = 'a0000000-0000-4000-8000-00000000000a';
const BO = 'b0000000-0000-4000-8000-00000000000b';
const RULES = [personal('UserRegistered', (d) => d.user_id, ['email', 'display_name'])];
const registered = (id: string, email: string, name: string) => ({
  type: 'UserRegistered',
  data: { user_id: id, email, display_name: name, language: 'sv' },
  metadata: { actor_id: null, ip: '203.0.113.7', user_agent: 'Firefox' },
});

describe('SealingEventStore (personal data sealed per person in the log)', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let keys: CountingKeyStore;
  let store: SealingEventStore;
  let serverKey: Buffer;
  beforeEach(() => {
    ({ dir, raw, keys, serverKey } = openSealFiles('plq-seal-', (file: string) => new CountingKeyStore(file)));
    store = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores ciphertext, reads plaintext, and the hash chain is over the stored form', async () => {
    await store.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    const [stored] = await raw.readStream(`user-${ANNA}`);
    expect(JSON.stringify(stored)).not.toMatch(/anna@club\.test|Anna Ek|203\.0\.113\.7|Firefox/);
    expect(stored!.data.language).toBe('sv'); // undeclared fields stay
    const [opened] = await store.readStream(`user-${ANNA}`);
    expect(opened!.data).toMatchObject({ email: 'anna@club.test', display_name: 'Anna Ek' });
    expect(opened!.metadata).toMatchObject({ ip: '203.0.113.7', user_agent: 'Firefox' });
    expect(verifyChain(await raw.readStream(`user-${ANNA}`))).toBeNull();
  });

  it('after erasure one person reads as "[erased]" everywhere, the other is untouched, the chain still holds', async () => {
    await store.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    await store.append(`user-${BO}`, [registered(BO, 'bo@club.test', 'Bo Ek')], 'no_stream');
    await store.vault.erase(ANNA);
    // a fresh process (empty cache) sees the same
    const again = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES);
    for (const s of [store, again]) {
      const all = await s.readAll();
      expect(all.find((e) => e.stream === `user-${ANNA}`)!.data).toMatchObject({ email: ERASED, display_name: ERASED });
      expect(all.find((e) => e.stream === `user-${ANNA}`)!.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED });
      expect(all.find((e) => e.stream === `user-${BO}`)!.data).toMatchObject({ email: 'bo@club.test', display_name: 'Bo Ek' });
    }
    // a later event about her is not sealed under a new key: it is written erased
    await store.append(`user-${ANNA}`, [registered(ANNA, 'anna.new@club.test', 'Anna')], 0);
    expect(JSON.stringify(await raw.readStream(`user-${ANNA}`))).not.toContain('anna.new@club.test');
    expect(verifyChain(await raw.readStream(`user-${ANNA}`))).toBeNull();
    expect(verifyChain(await raw.readStream(`user-${BO}`))).toBeNull();
  });

  it('caches unwrapped keys: appending and reading many events of one person costs one key-store lookup', async () => {
    await store.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    const before = keys.gets;
    for (let i = 1; i <= 50; i++) await store.append(`user-${ANNA}`, [registered(ANNA, `a${i}@club.test`, 'Anna')], i - 1);
    await store.readAll();
    expect(keys.gets).toBe(before);
  });

  it('leaves a value that only looks sealed (not ours, or damaged) as it is', async () => {
    await store.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    const forged = `pd1.${ANNA}.${Buffer.from('x'.repeat(40)).toString('base64url')}`;
    await store.append('notes', [{ type: 'NoteWritten', data: { text: forged }, metadata: {} }], 'no_stream');
    expect((await store.readStream('notes'))[0]!.data.text).toBe(forged);
  });

  it('stores a new address stream under a keyed name, and keeps using one written before under its old name', async () => {
    const streamKey = randomBytes(32);
    const keyed = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES, streamKey);
    const fresh = `email-${createHash('sha256').update('new@club.test').digest('hex')}`;
    const old = `email-${createHash('sha256').update('old@club.test').digest('hex')}`;
    await raw.append(old, [{ type: 'EmailReserved', data: { user_id: BO } }], 'no_stream'); // before the change
    await keyed.append(fresh, [{ type: 'EmailReserved', data: { user_id: ANNA } }], 'no_stream');
    await keyed.append(old, [{ type: 'EmailReleased', data: { user_id: BO } }], 0);

    expect(await raw.streamVersion(fresh)).toBe(-1); // no dictionary-reversible name for new data
    expect(await raw.streamVersion(keyedStreamName(streamKey, fresh))).toBe(0);
    expect((await keyed.readStream(fresh)).map((e) => [e.stream, e.data.user_id])).toEqual([[fresh, ANNA]]);
    expect((await raw.readStream(old)).map((e) => e.type)).toEqual(['EmailReserved', 'EmailReleased']);
    expect(await keyed.streamVersion(old)).toBe(1);
    // another process (empty name cache) finds both the same way
    const other = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), RULES, streamKey);
    expect((await other.readStream(fresh))[0]!.data.user_id).toBe(ANNA);
    expect(await other.streamVersion(old)).toBe(1);
  });

  it('stores a keyed-hash field as hk1.<HMAC> (same input, same output; never the input), only where its rule says', async () => {
    const rules = [...RULES, keyedHash('AttemptClaimed', (d) => (d.scope === 'login' ? ['key'] : []))];
    const keyed = new SealingEventStore(raw, new PersonalDataVault(keys, serverKey), rules, randomBytes(32));
    const sha = createHash('sha256').update('anna@club.test').digest('hex');
    const claim = (scope: string, key: string) => ({ type: 'AttemptClaimed', data: { key, scope, user_id: null } });
    await keyed.append('c1', [claim('login', sha), claim('login', sha), claim('login', 'other'), claim('mfa', ANNA)], 'no_stream');
    const keys1 = (await keyed.readStream('c1')).map((e) => e.data.key as string);
    expect(keys1[0]).toMatch(/^hk1\.[0-9a-f]{64}$/);
    expect(keys1[1]).toBe(keys1[0]);
    expect(keys1[2]).not.toBe(keys1[0]);
    expect(keys1[3]).toBe(ANNA);
    expect(JSON.stringify(await raw.readStream('c1'))).not.toContain(sha);
  });
});
