import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { dropSchema, freshSchema, PG_URL } from '../support/postgres.js';

/**
 * Races that PostgreSQL exposed and SQLite hid (its single writer and faster projections), run on
 * both. Reuse of a rotated refresh token revokes the family, and the answer waits for the sessions read
 * model: the family's newest access token is refused on the very next request. On SQLite the
 * projection is usually faster than the next request anyway; on PostgreSQL it was not (the
 * refusal answered before the revocation was projected, and /me still answered 200).
 */
const stores: Array<[string, () => Record<string, string>]> = [['sqlite', () => ({})]];
if (PG_URL) stores.push(['postgres', () => ({ DATABASE_URL: PG_URL!, DATABASE_SCHEMA: freshSchema('reuse') })]);

describe.each(stores)('refresh-token reuse on %s: the revocation is in force when the refusal is answered', (_kind, storeEnv) => {
  let t: TestApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = storeEnv();
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, ...env } });
  });
  afterAll(async () => {
    await t.close();
    if (env.DATABASE_SCHEMA) await dropSchema(PG_URL!, env.DATABASE_SCHEMA);
  });

  it('refuses the newest access token of the family right after the reuse, while another family of the user stays alive', async () => {
    for (let round = 0; round < 5; round++) {
      t.clock.advance(60_000);
      const l = await login(t, ADMIN.email, ADMIN.password);
      const other = await login(t, ADMIN.email, ADMIN.password); // a second family that must stay alive
      const r1 = (await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }).expect(200)).body;
      t.clock.advance(20_000); // beyond the concurrent-refresh grace
      expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }), 401, 'refresh_token_reused');
      expectProblem(await t.http.get('/me').set({ Authorization: `Bearer ${r1.access_token}` }), 401, 'session_revoked');
      await t.http.get('/me').set(other.auth).expect(200);
    }
  });

  it('8 concurrent adds of one new address: one account, every answer 202 or 409 member_exists, never 404', async () => {
    const admin = await adminLogin(t);
    for (let round = 0; round < 3; round++) {
      const body = { email: `race${round}@club.test`, display_name: 'Race', roles: ['member'], password: 'a long enough password' };
      const results = await Promise.all(
        Array.from({ length: 8 }, () => t.http.post(`/tenants/${admin.tenant_id}/members`).set(admin.auth).send(body)),
      );
      const answers = results.map((r) => (r.status === 202 ? 202 : `${r.status} ${r.body.error_code}`));
      expect(answers.filter((a) => a !== 202 && a !== '409 member_exists')).toEqual([]);
      expect(answers).toContain(202);
      const members = (await t.http.get(`/tenants/${admin.tenant_id}/members`).set(admin.auth).expect(200)).body.items;
      expect(members.filter((m: { email_masked: string }) => m.email_masked === `ra***@club.test`).length).toBe(round + 1);
    }
  });
});
