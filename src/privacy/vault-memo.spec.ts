import { join } from 'node:path';
import { SqliteEventStore } from '../eventstore/sqlite-event-store.js';
import { SqliteKeyStore, type KeyRecord } from './key-store.js';
import { ERASED, personal } from './personal-data-rule.js';
import { PERSONAL_DATA_ERASED, SUBJECT_ERASED, SealingEventStore } from './sealing-event-store.js';
import { PersonalDataVault } from './vault.js';
import { closeSealFiles, openSealFiles } from '../../test/support/seal-files.js';

/** A real key store whose answers can be held back (a server round trip that ends late). */
class LateKeyStore extends SqliteKeyStore {
  gate: Promise<void> = Promise.resolve();
  override async get(subjects: readonly string[]): Promise<Map<string, KeyRecord>> {
    const found = await super.get(subjects);
    await this.gate;
    return found;
  }
}

const ANNA = 'a0000000-0000-4000-8000-00000000000a';
const BO = 'b0000000-0000-4000-8000-00000000000b';
const RULES = [
  personal('UserRegistered', (d) => d.user_id, ['email', 'display_name']),
  personal('AddressSet', (d) => d.user_id, ['address']),
];
const registered = (id: string, email: string, name: string) => ({
  type: 'UserRegistered',
  data: { user_id: id, email, display_name: name },
  metadata: { actor_id: id, ip: '203.0.113.7', user_agent: 'Firefox' },
});
const fieldsOf = (events: Array<{ stream: string; data: Record<string, unknown> }>, id: string) =>
  events.filter((e) => e.stream === `user-${id}` && e.data.email !== undefined).map((e) => [e.data.email, e.data.display_name]);

/** The memo of opened values (issue 12): at most one decrypt per sealed value per process, never past the key. */
describe('PersonalDataVault memo (each sealed value opened at most once in a process)', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let keys: SqliteKeyStore;
  let serverKey: Buffer;
  let clock: number;
  const vault = (options: ConstructorParameters<typeof PersonalDataVault>[2] = {}) =>
    new PersonalDataVault(keys, serverKey, { monotonic: () => clock, ...options });
  const store = (v = vault()) => new SealingEventStore(raw, v, RULES);
  /** Four readers of every page, like the projection engine and three reactors. */
  const readAsFourSubscriptions = async (s: SealingEventStore) => {
    const pages = [];
    for (let i = 0; i < 4; i++) pages.push(await s.readAll());
    return pages;
  };
  beforeEach(() => {
    clock = 0;
    ({ dir, raw, keys, serverKey } = openSealFiles('plq-memo-'));
  });
  afterEach(() => closeSealFiles({ raw, keys, dir }));

  it('the sealing process decrypts nothing it sealed; another process decrypts each value once for four readers', async () => {
    const here = store();
    await here.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    for (const page of await readAsFourSubscriptions(here)) expect(fieldsOf(page, ANNA)).toEqual([['anna@club.test', 'Anna Ek']]);
    expect(here.vault.stats).toEqual({ decrypts: 0, memoHits: 16 }); // 4 sealed fields x 4 readers

    const there = store();
    for (const page of await readAsFourSubscriptions(there)) expect(page[0]!.metadata).toMatchObject({ ip: '203.0.113.7' });
    expect(there.vault.stats).toEqual({ decrypts: 4, memoHits: 12 });
  });

  it('an erasure here makes every memoized value of that person "[erased]" at once; the other person stays readable', async () => {
    const s = store();
    await s.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    await s.append(`user-${BO}`, [registered(BO, 'bo@club.test', 'Bo Ek')], 'no_stream');
    await readAsFourSubscriptions(s);
    await s.vault.erase(ANNA);
    const all = await s.readAll();
    expect(fieldsOf(all, ANNA)).toEqual([[ERASED, ERASED]]);
    expect(all.find((e) => e.stream === `user-${ANNA}`)!.metadata).toMatchObject({ ip: ERASED, user_agent: ERASED });
    expect(fieldsOf(all, BO)).toEqual([['bo@club.test', 'Bo Ek']]);
    expect((await s.readStream(`user-${ANNA}`))[0]!.data.email).toBe(ERASED); // the aggregate's read too
    expect(s.vault.memoSize().entries).toBe(4); // Bo's four; Anna's plaintext is gone from memory
  });

  it("another process's erasure: at once when its PersonalDataErased is read here, else within the key TTL", async () => {
    const eraser = store();
    const seen = store(); // reads the erasure event
    const blind = store(vault({ ttlMs: 60_000 })); // only its key TTL tells it
    await eraser.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    await eraser.append(`user-${BO}`, [registered(BO, 'bo@club.test', 'Bo Ek')], 'no_stream');
    for (const s of [seen, blind]) expect(fieldsOf(await s.readAll(), ANNA)).toEqual([['anna@club.test', 'Anna Ek']]);

    await eraser.vault.erase(ANNA);
    await eraser.append(`user-${ANNA}`, [{ type: PERSONAL_DATA_ERASED, data: { user_id: ANNA } }], 0);
    expect(fieldsOf(await seen.readAll(), ANNA)).toEqual([[ERASED, ERASED]]);
    // (the first two events only: it has not read the erasure event)
    expect(fieldsOf(await blind.readAll({ limit: 2 }), ANNA)).toEqual([['anna@club.test', 'Anna Ek']]); // within the bound
    clock += 60_001;
    expect(fieldsOf(await blind.readAll({ limit: 2 }), ANNA)).toEqual([[ERASED, ERASED]]);
    for (const s of [seen, blind]) expect(fieldsOf(await s.readAll(), BO)).toEqual([['bo@club.test', 'Bo Ek']]);
  });

  it('a PersonalDataSubjectErased (a subject without an account) read here drops that subject at once too', async () => {
    const eraser = store();
    const seen = store();
    await eraser.append(`user-${ANNA}`, [registered(ANNA, 'anna@club.test', 'Anna Ek')], 'no_stream');
    expect(fieldsOf(await seen.readAll(), ANNA)).toEqual([['anna@club.test', 'Anna Ek']]);
    await eraser.vault.erase(ANNA);
    await eraser.append(`erasure-${ANNA}`, [{ type: SUBJECT_ERASED, data: { subject: ANNA } }], 'no_stream');
    expect(fieldsOf(await seen.readAll(), ANNA)).toEqual([[ERASED, ERASED]]);
  });

  it('hands out copies: an object value mutated by one reader (or by the writer after appending) is intact for the next', async () => {
    const s = store();
    const address = { street: 'Storgatan 1', city: 'Lund' };
    await s.append(`user-${ANNA}`, [{ type: 'AddressSet', data: { user_id: ANNA, address } }], 'no_stream');
    address.city = 'changed by the writer';
    const first = (await s.readStream(`user-${ANNA}`))[0]!.data.address as Record<string, string>;
    expect(first).toEqual({ street: 'Storgatan 1', city: 'Lund' });
    first.city = 'changed by a reader';
    expect((await s.readStream(`user-${ANNA}`))[0]!.data.address).toEqual({ street: 'Storgatan 1', city: 'Lund' });
    expect(s.vault.stats.decrypts).toBe(0);
  });

  it('stays within its bounds (entries and characters) and still opens what it dropped', async () => {
    const s = store(vault({ memoEntries: 5, memoChars: 4_000 }));
    for (let i = 0; i < 20; i++)
      await s.append(`user-${ANNA}`, [registered(ANNA, `a${i}@club.test`, 'Anna')], i === 0 ? 'no_stream' : i - 1);
    expect(s.vault.memoSize().entries).toBeLessThanOrEqual(5);
    const emails = (await s.readStream(`user-${ANNA}`)).map((e) => e.data.email);
    expect(emails).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}@club.test`));

    const small = store(vault({ memoChars: 1_600 }));
    await small.readAll();
    expect(small.vault.memoSize().chars).toBeLessThanOrEqual(1_600);
    expect(small.vault.memoSize().entries).toBeGreaterThan(0);
  });

  it('a key read from the store before an erasure here and delivered after it does not come back', async () => {
    const late = new LateKeyStore(join(dir, 'late-keys.sqlite'));
    const writer = new PersonalDataVault(late, serverKey);
    await writer.prepare([ANNA], true);
    const value = writer.sealValue(ANNA, 'anna@club.test');
    const v = new PersonalDataVault(late, serverKey);
    let release!: () => void;
    late.gate = new Promise((r) => (release = r));
    const loading = v.prepare([ANNA], false); // has read the wrapped key, not yet delivered it
    late.gate = Promise.resolve();
    await v.erase(ANNA);
    release();
    await loading;
    expect(v.openValue(value)).toBe(ERASED);
    await late.close();
  });
});
