import { expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, bearer } from '../support/identity.js';
import { mailsOfType, securityEventTypes } from '../webauthn/support.js';
import { setPolicy } from '../policy/helpers.js';
import { emailCode, enrolTotp, passwordOnly, startSecurityApp, verifySms, verifyTotp, victimWith, type Auth } from './support.js';

/**
 * The policy decides which factor counts (issue 10, item 2): a session records which method
 * satisfied it and when, and enforcement and step-up accept only the tenant's allowed_methods.
 * E-mail OTP is a login-time fallback only (never a step-up, never "enrolled").
 */
describe('only the methods the tenant policy allows satisfy it', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  let adminSecret: string;
  let adminFresh: Auth;
  const ADMIN = { email: 'admin@federation.test', password: 'correct horse battery staple' };

  beforeAll(async () => {
    t = await startSecurityApp();
    admin = await adminLogin(t);
    const e = await enrolTotp(t, admin.auth);
    adminSecret = e.secret;
    adminFresh = e.auth;
  });
  afterAll(() => t.close());

  /** Sets the tenant policy from a fresh admin session (tenant_admin and treasurer need MFA). */
  async function policy(allowed: string[]) {
    adminFresh = await verifyTotp(t, (await passwordOnly(t, ADMIN)).auth, adminSecret);
    await setPolicy(t, adminFresh, {
      required_roles: ['tenant_admin', 'treasurer'],
      allowed_methods: allowed,
      grace_period_days: 14,
    }).expect(200);
  }
  const members = (auth: Auth) => t.http.get(`/tenants/${admin.tenant_id}/members`).set(auth);
  const exportCsv = (auth: Auth) => t.http.get(`/tenants/${admin.tenant_id}/export`).set(auth);

  async function emailVerify(auth: Auth) {
    t.clock.advance(61_000);
    const c = await t.http.post('/auth/mfa/email/challenge').set(auth).send({});
    if (c.status !== 200) return { challenge: c, verify: null };
    const v = await t.http
      .post('/auth/mfa/email/verify')
      .set(auth)
      .send({ challenge_id: c.body.challenge_id, code: await emailCode(t, c.body.challenge_id) });
    return { challenge: c, verify: v };
  }

  it('with a policy of totp+webauthn an e-mail code satisfies neither the policy nor step-up', async () => {
    await policy(['totp', 'webauthn']);
    const attacker = await passwordOnly(t, ADMIN);
    expectProblem(await members(attacker.auth), 401, 'mfa_required');
    const { challenge } = await emailVerify(attacker.auth);
    expectProblem(challenge, 403, 'email_otp_not_allowed');
    expectProblem(await members(attacker.auth), 401, 'mfa_required');
    expectProblem(await exportCsv(attacker.auth), 401, 'mfa_required');
    expectProblem(await setPolicy(t, attacker.auth, { required_roles: [], allowed_methods: ['sms'] }), 401, 'mfa_required');
    expectProblem(
      await t.http
        .patch(`/tenants/${admin.tenant_id}/members/${admin.user_id}`)
        .set(attacker.auth)
        .send({ roles: ['member'] }),
      401,
      'mfa_required',
    );
    // the owner's TOTP does
    const fresh = await verifyTotp(t, attacker.auth, adminSecret);
    await members(fresh).expect(200);
    await exportCsv(fresh).expect(200);
  });

  it('where the policy allows e-mail, it satisfies login-time MFA for a user with a possession factor, never step-up; every use is audited and mailed', async () => {
    await policy(['totp', 'email']);
    const l = await passwordOnly(t, ADMIN);
    const { verify } = await emailVerify(l.auth);
    expect(verify!.status).toBe(200);
    const viaEmail = bearer(verify!.body.access_token);
    const me = await t.http.get('/me').set(viaEmail).expect(200);
    expect(me.body.amr).toContain('email');
    await members(viaEmail).expect(200);
    expectProblem(await exportCsv(viaEmail), 403, 'mfa_step_up_required');
    const stepUp = await exportCsv(viaEmail);
    expect(stepUp.body.allowed_methods).toEqual(['totp']);
    const e = await t.http.get('/auth/mfa/enforcement').set(viaEmail).expect(200);
    expect(e.body).toMatchObject({ status: 'compliant', enrolled_methods: ['totp'], mfa_satisfied: true, mfa_fresh: false });

    await t.settle();
    expect(await securityEventTypes(t, viaEmail)).toContain('email_otp_used');
    expect(mailsOfType(t, 'email_otp_used', ADMIN.email).length).toBeGreaterThanOrEqual(1);

    // the policy is applied when the session is used, not when it was verified
    await policy(['totp', 'webauthn']);
    expectProblem(await members(viaEmail), 401, 'mfa_required');
  });

  it('an SMS verification is no step-up where the policy allows only totp+webauthn, but lets its owner move to TOTP', async () => {
    await policy(['totp', 'webauthn']);
    adminFresh = await verifyTotp(t, (await passwordOnly(t, ADMIN)).auth, adminSecret);
    const v = await victimWith(t, 'sms', ['treasurer'], { auth: adminFresh, tenant_id: admin.tenant_id });
    const viaSms = await verifySms(t, (await passwordOnly(t, v)).auth, v.phone!);
    const e = await t.http.get('/auth/mfa/enforcement').set(viaSms).expect(200);
    expect(e.body).toMatchObject({ status: 'grace_period', enrolled_methods: ['sms'], mfa_satisfied: false, mfa_fresh: false });
    expectProblem(await exportCsv(viaSms), 403, 'mfa_step_up_required');
    // binding needs the factors you have: the SMS it has is enough to enrol an allowed factor
    const totp = await enrolTotp(t, viaSms);
    await exportCsv(totp.auth).expect(200);
  });

  it('the session and its token record which method satisfied it and when', async () => {
    await policy(['totp', 'webauthn']);
    const l = await passwordOnly(t, ADMIN);
    const fresh = await verifyTotp(t, l.auth, adminSecret);
    const claims = JSON.parse(Buffer.from(fresh.Authorization.split('.')[1]!, 'base64url').toString('utf8'));
    const now = Math.floor(t.clock.now().getTime() / 1000);
    expect(claims).toMatchObject({ mfa_method: 'totp', mfa_at: now, mfa_methods: { totp: now } });
    const before = JSON.parse(Buffer.from(l.access_token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(before).toMatchObject({ mfa_method: null, mfa_at: null, mfa_methods: {} });
  });

  it('a policy must allow at least one possession factor (e-mail alone would make it impossible to meet)', async () => {
    adminFresh = await verifyTotp(t, (await passwordOnly(t, ADMIN)).auth, adminSecret);
    const res = await setPolicy(t, adminFresh, { allowed_methods: ['email'] });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.field).toBe('allowed_methods');
  });

  it('POST /auth/password needs the policy MFA (401 mfa_required from a password-only session of a compliant admin)', async () => {
    const l = await passwordOnly(t, ADMIN);
    expectProblem(
      await t.http
        .post('/auth/password')
        .set(l.auth)
        .send({ current_password: ADMIN.password, new_password: 'not with a password alone 1' }),
      401,
      'mfa_required',
    );
  });
});
