import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { bearer, DAY, enforcement, enrolTotp, setPolicy, verifyTotp } from './helpers.js';

/** The seed's story (issue 7, item 5), end to end over HTTP with a controllable clock. */
describe('story: a federation treasurer under the MFA policy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
  });
  afterAll(() => t.close());

  it('grace period, TOTP, recovery codes, step-up, lost phone, session revoke, re-enrol, trusted laptop', async () => {
    // the federation requires MFA for treasurers, 14-day grace period
    const admin = await adminLogin(t);
    await setPolicy(t, admin.auth, {
      required_roles: ['treasurer'],
      allowed_methods: ['totp'],
      grace_period_days: 14,
      fresh_window_seconds: 300,
    }).expect(200);
    const k = await addMember(t, admin, { email: 'kassor@boule.test', roles: ['treasurer'], language: 'sv' });
    const exportCsv = (auth: { Authorization: string }) => t.http.get(`/tenants/${admin.tenant_id}/export`).set(auth);

    // the treasurer logs in the next day (phone) and sees the grace period: 13 days left
    t.clock.advance(DAY);
    const phone = await login(t, 'kassor@boule.test', k.password, { ua: UA.safariIphone });
    expect(await enforcement(t, phone.auth)).toMatchObject({
      status: 'grace_period',
      days_remaining: 13,
      required_by_roles: ['treasurer'],
    });

    // enrols TOTP and generates 10 recovery codes
    const totp = await enrolTotp(t, phone.auth);
    expect((await enforcement(t, totp.auth)).status).toBe('compliant');
    const rc = await t.http.post('/auth/mfa/recovery-codes/generate').set(totp.auth).send({}).expect(200);
    expect(rc.body.codes).toHaveLength(10);

    // a week later the export demands step-up; TOTP satisfies it
    t.clock.advance(7 * DAY);
    const refreshed = await t.http.post('/auth/refresh').send({ refresh_token: phone.refresh_token }).expect(200);
    const phoneAuth = bearer(refreshed.body.access_token);
    const stale = await exportCsv(phoneAuth);
    expectProblem(stale, 403, 'mfa_step_up_required');
    expect(stale.body).toMatchObject({ allowed_methods: ['totp'], fresh_window_seconds: 300 });
    const steppedUp = await verifyTotp(t, phoneAuth, totp.secret);
    await exportCsv(steppedUp).expect(200);

    // "loses the phone": logs in from the laptop and uses a recovery code (burned, e-mail, security event)
    const laptop = await login(t, 'kassor@boule.test', k.password, { ua: UA.firefoxWindows });
    expectProblem(await exportCsv(laptop.auth), 401, 'mfa_required');
    const used = await t.http.post('/auth/mfa/recovery-codes/verify').set(laptop.auth).send({ code: rc.body.codes[0] }).expect(200);
    expect(used.body.remaining).toBe(9);
    const laptopAuth = bearer(used.body.access_token);
    expect((await t.http.post('/auth/mfa/recovery-codes/verify').set(laptopAuth).send({ code: rc.body.codes[0] })).status).not.toBe(200);
    t.clock.advance(2_000); // the failed attempt above costs a brute-force backoff
    await t.settle();
    expect(
      readOutbox(t.dataDir).filter((m) => m.to.includes('kassor@boule.test') && m.securityEvent === 'recovery_code_used'),
    ).toHaveLength(1);
    const ev = await t.http.get('/auth/security-events?type=recovery_code_used').set(laptopAuth).expect(200);
    expect(ev.body.items).toHaveLength(1);

    // lists sessions and revokes the phone's: its token dies on the next request
    const sessions = await t.http.get('/auth/sessions').set(laptopAuth).expect(200);
    const phoneSession = sessions.body.items.find((s: { id: string }) => s.id === phone.session_id);
    expect(phoneSession).toBeDefined();
    await t.http.delete(`/auth/sessions/${phone.session_id}`).set(laptopAuth).expect(204);
    expectProblem(await t.http.get('/me').set(steppedUp), 401, 'session_revoked');

    // re-enrols TOTP (a new seed replaces the lost one) and adds the laptop as a trusted device
    const reEnrolled = await enrolTotp(t, laptopAuth);
    expect(reEnrolled.secret).not.toBe(totp.secret);
    const device = await t.http
      .post('/auth/mfa/trusted-devices')
      .set(reEnrolled.auth)
      .set('User-Agent', UA.firefoxWindows)
      .send({ name: 'Laptop' })
      .expect(201);

    // the next login from the laptop skips MFA (but not step-up)
    t.clock.advance(DAY);
    const next = await login(t, 'kassor@boule.test', k.password, { ua: UA.firefoxWindows, deviceToken: device.body.device_token });
    const me = await t.http.get('/me').set(next.auth).expect(200);
    expect(me.body.amr).toEqual(expect.arrayContaining(['trusted_device', 'mfa']));
    expectProblem(await exportCsv(next.auth), 403, 'mfa_step_up_required');
    const withoutDevice = await login(t, 'kassor@boule.test', k.password, { ua: UA.firefoxWindows });
    expectProblem(await exportCsv(withoutDevice.auth), 401, 'mfa_required');
  });
});
