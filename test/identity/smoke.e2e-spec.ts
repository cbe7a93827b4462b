import { startTestApp, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';

describe('identity smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
  });
  afterAll(() => t.close());

  it('bootstraps, logs in, refreshes, lists sessions and security events', async () => {
    const admin = await adminLogin(t);
    expect(admin.tenant_id).toMatch(/-/);
    const m = await addMember(t, admin, { email: 'Treasurer@Club.test', roles: ['treasurer'] });
    const l = await login(t, 'treasurer@club.test', m.password);
    const me = await t.http.get('/me').set(l.auth).expect(200);
    expect(me.body.roles).toEqual(['treasurer']);
    const r = await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }).expect(200);
    expect(r.body.refresh_token).not.toBe(l.refresh_token);
    const s = await t.http.get('/auth/sessions').set(l.auth).expect(200);
    expect(s.body.items).toHaveLength(1);
    const ev = await t.http.get('/auth/security-events').set(l.auth).expect(200);
    expect(ev.body.items.map((e: { type: string }) => e.type)).toContain('new_login');
  });
});
