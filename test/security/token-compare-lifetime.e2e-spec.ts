/**
 * Bearer secrets are compared whole, over HTTP: a refresh token or a trusted-device token that
 * differs from the real one only in its last character is refused. And a session lives at most
 * 30 days from its login however often it is refreshed (REFRESH_ABSOLUTE_SECONDS).
 */
import { addMember, adminLogin, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { DAY, enrolTotp, setPolicy, verifyTotp } from '../policy/helpers.js';

const lastCharChanged = (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: BOOTSTRAP_ENV });
});
afterAll(() => t.close());

describe('a secret differing only in its last character', () => {
  it('is refused as a refresh token, and the real one still rotates', async () => {
    const admin = await adminLogin(t);
    const forged = lastCharChanged(admin.refresh_token);
    expect(forged).not.toBe(admin.refresh_token);
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: forged }), 401, 'invalid_refresh_token');
    expectProblem(
      await t.http.post('/auth/refresh').send({ refresh_token: admin.refresh_token.slice(0, -1) }),
      401,
      'invalid_refresh_token',
    );
    const ok = await t.http.post('/auth/refresh').send({ refresh_token: admin.refresh_token }).expect(200);
    expect(ok.body.session_id).toBe(admin.session_id);
  });

  it('is refused as a trusted-device token: the login still needs the second factor', async () => {
    const admin = await adminLogin(t);
    await setPolicy(t, admin.auth, { required_roles: ['treasurer'], allowed_methods: ['totp'], grace_period_days: 0 }).expect(200);
    const kim = await addMember(t, admin, { email: 'kim.lastchar@club.test', roles: ['treasurer'] });
    const kimLogin = (deviceToken?: string) => login(t, 'kim.lastchar@club.test', kim.password, { ua: UA.chromeMac, deviceToken });
    const { secret } = await enrolTotp(t, (await kimLogin()).auth);
    const fresh = await verifyTotp(t, (await kimLogin()).auth, secret);
    const device = await t.http.post('/auth/mfa/trusted-devices').set(fresh).set('User-Agent', UA.chromeMac).send({}).expect(201);

    const trusted = await kimLogin(device.body.device_token);
    expect((await t.http.get('/me').set(trusted.auth).expect(200)).body.amr).toContain('trusted_device');
    await t.http.get('/auth/security-events').set(trusted.auth).expect(200);

    for (const forged of [lastCharChanged(device.body.device_token), device.body.device_token.slice(0, -1)]) {
      const l = await kimLogin(forged);
      expect((await t.http.get('/me').set(l.auth).expect(200)).body.amr).not.toContain('trusted_device');
      expectProblem(await t.http.get('/tenants/' + admin.tenant_id + '/members').set(l.auth), 401, 'mfa_required');
      const check = await t.http.get('/auth/mfa/trusted-devices/check').set(fresh).set('X-Device-Token', forged).expect(200);
      expect(check.body).toEqual({ trusted: false, id: null, expires_at: null });
    }
  });
});

describe('absolute session lifetime (30 days)', () => {
  it('refreshes until 30 d − 1 s with idle refreshes, then refuses with refresh_token_expired', async () => {
    const start = t.clock.now().getTime();
    const admin = await adminLogin(t);
    let token = admin.refresh_token;
    const refreshAt = async (ms: number) => {
      t.clock.set(new Date(start + ms));
      return t.http.post('/auth/refresh').send({ refresh_token: token });
    };
    for (const at of [13 * DAY, 26 * DAY, 30 * DAY - 1000]) {
      const r = await refreshAt(at);
      expect(r.status).toBe(200); // each refresh is well inside the 14-day idle window
      token = r.body.refresh_token;
    }
    const lastAccess = (await refreshAt(30 * DAY - 500)).body;
    token = lastAccess.refresh_token;
    expectProblem(await refreshAt(30 * DAY + 1000), 401, 'refresh_token_expired');
    // the family is over: its newest token does not come back to life
    expectProblem(await refreshAt(30 * DAY + 2000), 401, 'session_revoked');
    // nor does the access token issued half a second before the end
    expectProblem(await t.http.get('/me').set({ Authorization: `Bearer ${lastAccess.access_token}` }), 401);
  });
});
