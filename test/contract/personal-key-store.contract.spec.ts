import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresKeyStore, SqliteKeyStore, type PersonalKeyStore } from '../../src/privacy/key-store.js';
import { PersonalDataVault } from '../../src/privacy/vault.js';
import { ERASED } from '../../src/privacy/personal-data-rule.js';
import { PG_URL, dropSchema, freshSchema, pgQuery } from '../support/postgres.js';

const CARL = 'c0000000-0000-4000-8000-00000000000c';

/** One suite for every key-store adapter: keys are created once, survive a reopen, and a destroy is final. */
function contract(name: string, open: () => Promise<PersonalKeyStore>, afterDestroy?: (wrapped: string) => Promise<void>) {
  describe(`personal key store: ${name}`, () => {
    const ANNA = randomUUID();
    const BO = randomUUID();
    const serverKey = randomBytes(32);
    let keys: PersonalKeyStore;
    beforeEach(async () => {
      keys = await open();
    });
    afterEach(() => keys.close());

    it('the first writer of a subject wins; a second create answers the same key', async () => {
      const a = await keys.create(CARL, 'wrapped-1', '2026-03-02T08:00:00Z');
      const b = await keys.create(CARL, 'wrapped-2', '2026-03-02T08:00:01Z');
      expect(a.wrapped).toBe('wrapped-1');
      expect(b.wrapped).toBe('wrapped-1');
      const got = await keys.get([CARL, 'd0000000-0000-4000-8000-00000000000d']);
      expect(got.get(CARL)?.wrapped).toBe('wrapped-1');
      expect(got.has('d0000000-0000-4000-8000-00000000000d')).toBe(false);
    });

    it('a value sealed before a reopen opens after it; after destroy it is "[erased]" for good, and the other subject is untouched', async () => {
      const v1 = new PersonalDataVault(keys, serverKey);
      await v1.prepare([ANNA, BO], true);
      const anna = v1.sealValue(ANNA, 'anna@club.test');
      const bo = v1.sealValue(BO, 'bo@club.test');
      const wrapped = (await keys.get([ANNA])).get(ANNA)!.wrapped!;
      await keys.close();
      keys = await open();
      const v2 = new PersonalDataVault(keys, serverKey);
      await v2.prepare([ANNA, BO], false);
      expect(v2.openValue(anna)).toBe('anna@club.test');
      await v2.erase(ANNA);
      const v3 = new PersonalDataVault(keys, serverKey);
      await v3.prepare([ANNA, BO], true); // create must not resurrect an erased subject
      expect(v3.openValue(anna)).toBe(ERASED);
      expect(v3.sealValue(ANNA, 'anna.new@club.test')).toBe(ERASED);
      expect(v3.openValue(bo)).toBe('bo@club.test');
      expect((await keys.get([ANNA])).get(ANNA)?.wrapped).toBeNull();
      await afterDestroy?.(wrapped);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'plq-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'personal-keys.sqlite');
contract(
  'SQLite (embedded)',
  async () => new SqliteKeyStore(file),
  async (wrapped) => {
    // secure_delete + a truncated WAL: the destroyed wrapped key is in none of the files
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).includes(Buffer.from(wrapped))).toBe(false);
  },
);

const schema = freshSchema('keys');
const pgUrl = PG_URL;
if (pgUrl) {
  afterAll(() => dropSchema(pgUrl, schema));
  contract(
    'PostgreSQL (DATABASE_URL)',
    () => PostgresKeyStore.connect(pgUrl, schema),
    async (wrapped) => {
      const rows = await pgQuery<{ n: string }>(pgUrl, schema, 'SELECT count(*) AS n FROM personal_keys WHERE wrapped = $1', [wrapped]);
      expect(Number(rows[0]!.n)).toBe(0);
    },
  );
} else {
  describe.skip('personal key store: PostgreSQL (DATABASE_URL unset)', () => it('needs DATABASE_URL', () => undefined));
}
