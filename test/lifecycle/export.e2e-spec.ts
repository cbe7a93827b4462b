import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';
import { registerPasskey, secondTenant, stepUp, withTotp } from './support.js';

const ORIGIN = 'https://app.petanque.test';

describe('GDPR export GET /me/export (issue 16 item 4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, WEBAUTHN_RP_ID: 'petanque.test', WEBAUTHN_ORIGINS: ORIGIN } });
  });
  afterAll(() => t.close());

  it("holds the caller's profile, memberships, factors without secrets, sessions, devices and security events, and nobody else's", async () => {
    const admin = await adminLogin(t);
    const other = await secondTenant(t, 'viktor@other.test', 'viktor long password 1');
    const m = await addMember(t, admin, { email: 'ulla@club.test', display_name: 'Ulla' });
    const u = await login(t, 'ulla@club.test', m.password);
    const { secret, fresh } = await withTotp(t, u);
    await registerPasskey(t, fresh, new SoftAuthenticator(ORIGIN));
    const device = await t.http.post('/auth/mfa/trusted-devices').set(fresh).send({ name: 'Köksdatorn' }).expect(201);

    t.clock.advance(600_000);
    const stale = await login(t, 'ulla@club.test', m.password);
    expectProblem(await t.http.get('/me/export').set(stale.auth), 403, 'mfa_step_up_required');
    await t.settle();
    const res = await t.http
      .get('/me/export')
      .set(await stepUp(t, stale.auth, secret))
      .expect(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const doc = res.body;
    expect(doc.format).toBe('petanque-life-personal-data/1');
    expect(doc.profile).toMatchObject({ id: m.user_id, email: 'ulla@club.test', display_name: 'Ulla', status: 'active' });
    expect(doc.memberships).toEqual([
      expect.objectContaining({ tenant_id: admin.tenant_id, tenant_name: 'Svenska Boulefederationen', roles: ['member'] }),
    ]);
    expect(doc.factors.totp).toMatchObject({ status: 'active' });
    expect(doc.factors.passkeys).toHaveLength(1);
    expect(doc.trusted_devices).toEqual([expect.objectContaining({ id: device.body.id, name: 'Köksdatorn', status: 'active' })]);
    expect(doc.sessions.length).toBeGreaterThanOrEqual(2);
    expect(doc.security_events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['new_login', 'mfa_enrolled']));

    const text = JSON.stringify(doc);
    for (const secretish of [
      secret,
      device.body.device_token,
      u.refresh_token,
      'password_hash',
      'token_hash',
      'public_key',
      'refresh_hash',
      'code_hash',
    ])
      expect(text).not.toContain(secretish);
    // nothing of another person or tenant
    expect(text).not.toContain('viktor@other.test');
    expect(text).not.toContain(other.tenant_id);
    expect(text).not.toContain(admin.user_id);
  });

  it('needs no step-up for a person without a second factor (there is none to ask for); needs a token', async () => {
    const admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'plain@club.test' });
    const u = await login(t, 'plain@club.test', m.password);
    const doc = (await t.http.get('/me/export').set(u.auth).expect(200)).body;
    expect(doc.factors).toEqual({ totp: null, sms: null, passkeys: [], recovery_codes: null });
    expectProblem(await t.http.get('/me/export'), 401, 'unauthenticated');
  });
});
