import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, BOOTSTRAP_ENV, withTemporaryTotp } from '../support/identity.js';

/** One shared validator (@IsDisplayString) on every name a person or device shows to others. */
const BAD: Array<[label: string, value: string]> = [
  ['NUL', 'Laptop\u0000'],
  ['a control character', 'Laptop\u0007'],
  ['a newline', 'Laptop\nAdmin'],
  ['a bidi override', 'Laptop\u202Eexe.'],
  ['a bidi isolate', '\u2067Laptop\u2069'],
  ['a lone surrogate', 'Laptop\ud800'],
];

describe('display strings refuse control characters, NUL, bidi overrides and lone surrogates (400 naming the field)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
  });
  afterAll(() => t.close());

  const names = (res: { body: Record<string, unknown> }, field: string) =>
    expect(JSON.stringify(res.body.errors ?? res.body.detail)).toContain(field);

  it.each(BAD)('trusted-device and passkey names with %s', async (_label, value) => {
    const admin = await adminLogin(t);
    await withTemporaryTotp(t, admin.auth, async (fresh) => {
      const d = await t.http.post('/auth/mfa/trusted-devices').set(fresh).send({ name: value });
      expectProblem(d, 400, 'validation_failed');
      names(d, 'name');
      expect((await t.http.get('/auth/mfa/trusted-devices').set(fresh).expect(200)).body.items).toEqual([]);
    });
    const p = await t.http
      .patch(`/auth/mfa/webauthn/credentials/${'A'.repeat(22)}`)
      .set(admin.auth)
      .send({ name: value });
    expectProblem(p, 400, 'validation_failed');
    names(p, 'name');
  });

  it.each(BAD)('a member display name with %s', async (_label, value) => {
    const admin = await adminLogin(t);
    const res = await t.http
      .post(`/tenants/${admin.tenant_id}/members`)
      .set(admin.auth)
      .send({ email: 'shown@club.test', display_name: value, roles: ['member'], password: 'a long enough password 123' });
    expectProblem(res, 400, 'validation_failed');
    names(res, 'display_name');
  });

  it('still accepts ordinary names in any script', async () => {
    const admin = await adminLogin(t);
    await t.http
      .post(`/tenants/${admin.tenant_id}/members`)
      .set(admin.auth)
      .send({ email: 'asa@club.test', display_name: 'Åsa Öberg 🎯 حسن', roles: ['member'], password: 'a long enough password 123' })
      .expect(202);
  });
});
