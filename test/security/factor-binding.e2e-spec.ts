import { expectProblem, type TestApp } from '../support/test-app.js';
import { bearer, login } from '../support/identity.js';
import { codeAt, nextStepStart } from '../totp/support.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';
import {
  emailCode,
  enrolTotp,
  member,
  ORIGIN,
  passwordOnly,
  registerPasskey,
  startSecurityApp,
  startSms,
  verifyTotp,
  victimWith,
  type Auth,
  type FactorKind,
  type Victim,
} from './support.js';

/**
 * Binding a factor needs the factors you have (issue 10, item 1). The attacker knows the
 * victim's password and nothing else; the tenant has no MFA policy, so nothing but the rule
 * under test stands in the way.
 */
describe('attacker with a stolen password cannot bind, replace or remove factors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startSecurityApp();
  });
  afterAll(() => t.close());

  const STEP_UP = 'mfa_step_up_required';

  /** Every binding operation from a session, with the status and error_code each must answer. */
  async function tryEverything(v: Victim, kind: FactorKind, auth: Auth) {
    expectProblem(await t.http.post('/auth/mfa/totp/enroll').set(auth).send({}), 403, STEP_UP);
    expectProblem(await t.http.post('/auth/mfa/sms/enroll').set(auth).send({ phone: '+46709999999' }), 403, STEP_UP);
    expectProblem(await t.http.post('/auth/mfa/webauthn/register/options').set(auth).send({}), 403, STEP_UP);
    expectProblem(await t.http.post('/auth/mfa/recovery-codes/generate').set(auth).send({}), 403, STEP_UP);
    expectProblem(await t.http.post('/auth/mfa/trusted-devices').set(auth).send({ name: 'attacker' }), 403, STEP_UP);
    expectProblem(
      await t.http.post('/auth/password').set(auth).send({ current_password: v.password, new_password: 'attacker owns this now 77' }),
      403,
      STEP_UP,
    );
    const remove =
      kind === 'totp'
        ? t.http.delete('/auth/mfa/totp')
        : kind === 'sms'
          ? t.http.delete('/auth/mfa/sms')
          : t.http.delete(`/auth/mfa/webauthn/credentials/${v.credentialId}`);
    expectProblem(await remove.set(auth), 403, STEP_UP);
    const enforcement = await t.http.get('/auth/mfa/enforcement').set(auth).expect(200);
    expect(enforcement.body.mfa_fresh).toBe(false);
  }

  for (const kind of ['totp', 'sms', 'passkey'] as const) {
    it(`victim with ${kind}: a password-only session binds nothing, and an e-mail code does not make it fresh`, async () => {
      const v = await victimWith(t, kind);
      const attacker = await passwordOnly(t, v);
      await tryEverything(v, kind, attacker.auth);

      // the break-glass e-mail code is accepted as a code, but it is never a step-up
      t.clock.advance(31_000);
      const c = await t.http.post('/auth/mfa/email/challenge').set(attacker.auth).send({}).expect(200);
      const ok = await t.http
        .post('/auth/mfa/email/verify')
        .set(attacker.auth)
        .send({ challenge_id: c.body.challenge_id, code: await emailCode(t, c.body.challenge_id) })
        .expect(200);
      t.clock.advance(31_000); // past the brute-force backoff of nothing; keeps the SMS gap
      await tryEverything(v, kind, bearer(ok.body.access_token));

      // the victim's own fresh session still can (the rule is not "nobody may")
      const own = await t.http.get('/auth/mfa/enforcement').set(v.own).expect(200);
      expect(own.body.mfa_fresh).toBe(true);
      expect((await t.http.post('/auth/mfa/recovery-codes/generate').set(v.own).send({})).status).toBe(200);
    });
  }

  it('confirming a new factor proves possession but does not make the session MFA-satisfied or fresh', async () => {
    const m = await member(t);
    const e = await t.http.post('/auth/mfa/totp/enroll').set(m.login.auth).send({}).expect(200);
    const c = await t.http
      .post('/auth/mfa/totp/confirm')
      .set(m.login.auth)
      .send({ code: codeAt(t, e.body.secret) })
      .expect(200);
    expect(c.body).toEqual({ enrolled: true, method: 'totp', confirmed_at: expect.any(String) });
    expect(c.body.access_token).toBeUndefined();
    const me = await t.http.get('/me').set(m.login.auth).expect(200);
    expect(me.body.mfa_at).toBeNull();
    // now that a factor exists, the same password-only session may not add another one
    expectProblem(await t.http.post('/auth/mfa/sms/enroll').set(m.login.auth).send({ phone: '+46709999998' }), 403, STEP_UP);
    expectProblem(await t.http.post('/auth/mfa/webauthn/register/options').set(m.login.auth).send({}), 403, STEP_UP);
    // verifying a later code is what makes it fresh
    const fresh = await verifyTotp(t, m.login.auth, e.body.secret);
    expect((await t.http.get('/auth/mfa/enforcement').set(fresh).expect(200)).body.mfa_fresh).toBe(true);
  });

  it('SMS enrolment confirm does not upgrade the session either', async () => {
    const m = await member(t);
    const s = await startSms(t, m.login.auth);
    expect(s.res.status).toBe(200);
    const c = await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(m.login.auth)
      .send({ code: await s.code!() })
      .expect(200);
    expect(c.body).toMatchObject({ enrolled: true, method: 'sms' });
    expect(c.body.access_token).toBeUndefined();
    expectProblem(await t.http.delete('/auth/mfa/sms').set(m.login.auth), 403, STEP_UP);
  });

  it('an enrolment started before the victim bound a factor cannot be confirmed after it (SMS, TOTP, passkey)', async () => {
    const m = await member(t);
    const attacker = await passwordOnly(t, m);
    const sms = await startSms(t, attacker.auth);
    expect(sms.res.status).toBe(200);
    const totpStart = await t.http.post('/auth/mfa/totp/enroll').set(attacker.auth).send({}).expect(200);
    const options = await t.http.post('/auth/mfa/webauthn/register/options').set(attacker.auth).send({}).expect(200);

    // meanwhile the victim enrols a passkey in their own session
    await registerPasskey(t, m.login.auth);

    expectProblem(
      await t.http
        .post('/auth/mfa/sms/enroll/confirm')
        .set(attacker.auth)
        .send({ code: await sms.code!() }),
      403,
      STEP_UP,
    );
    expectProblem(
      await t.http
        .post('/auth/mfa/totp/confirm')
        .set(attacker.auth)
        .send({ code: codeAt(t, totpStart.body.secret) }),
      403,
      STEP_UP,
    );
    const a = new SoftAuthenticator(ORIGIN);
    expectProblem(
      await t.http
        .post('/auth/mfa/webauthn/register/verify')
        .set(attacker.auth)
        .send({ response: a.create(options.body) }),
      403,
      STEP_UP,
    );
    const methods = await t.http.get('/auth/mfa/methods').set(m.login.auth).expect(200);
    expect(methods.body).toMatchObject({ totp: { enrolled: false }, sms: { enrolled: false }, webauthn: { credential_count: 1 } });
  });

  it('recovery codes, trusted devices and e-mail codes exist only beside a possession factor', async () => {
    const m = await member(t);
    expectProblem(await t.http.post('/auth/mfa/recovery-codes/generate').set(m.login.auth).send({}), 409, 'possession_factor_required');
    expectProblem(await t.http.post('/auth/mfa/trusted-devices').set(m.login.auth).send({}), 409, 'possession_factor_required');
    expectProblem(await t.http.post('/auth/mfa/email/challenge').set(m.login.auth).send({}), 403, 'email_otp_not_allowed');
    expect((await t.http.get('/auth/mfa/recovery-codes/count').set(m.login.auth).expect(200)).body.remaining).toBe(0);
  });

  it('a recovery code stands in for the possession factor: it makes a session fresh, and is refused once no factor is left', async () => {
    const v = await victimWith(t, 'totp');
    const codes = (await t.http.post('/auth/mfa/recovery-codes/generate').set(v.own).send({}).expect(200)).body.codes as string[];
    const lostPhone = await passwordOnly(t, v);
    const r = await t.http.post('/auth/mfa/recovery-codes/verify').set(lostPhone.auth).send({ code: codes[0] }).expect(200);
    const recovered = bearer(r.body.access_token);
    await t.http.delete('/auth/mfa/totp').set(recovered).expect(204);
    const later = await passwordOnly(t, v);
    expectProblem(
      await t.http.post('/auth/mfa/recovery-codes/verify').set(later.auth).send({ code: codes[1] }),
      409,
      'possession_factor_required',
    );
  });

  it('password change: needs step-up once a factor exists, then revokes every other session and the trusted devices by default', async () => {
    const v = await victimWith(t, 'totp');
    const device = await t.http.post('/auth/mfa/trusted-devices').set(v.own).send({ name: 'Laptop' }).expect(201);
    const other = await passwordOnly(t, v);
    await t.http.get('/me').set(other.auth).expect(200);

    expectProblem(
      await t.http.post('/auth/password').set(other.auth).send({ current_password: v.password, new_password: 'a brand new password 42' }),
      403,
      STEP_UP,
    );
    const changed = await t.http
      .post('/auth/password')
      .set(v.own)
      .send({ current_password: v.password, new_password: 'a brand new password 42' })
      .expect(200);
    expect(changed.body).toEqual({ changed: true, revoked_sessions: 1 });
    expectProblem(await t.http.get('/me').set(other.auth), 401, 'session_revoked');
    await t.http.get('/me').set(v.own).expect(200);

    // the device token no longer stands in for the second factor
    const withDevice = await login(t, v.email, 'a brand new password 42', { deviceToken: device.body.device_token });
    const me = await t.http.get('/me').set(withDevice.auth).expect(200);
    expect(me.body.amr).not.toContain('trusted_device');
  });

  it('password change keeps other sessions only when asked to (revoke_other_sessions: false)', async () => {
    const m = await member(t);
    const other = await passwordOnly(t, m);
    const r = await t.http
      .post('/auth/password')
      .set(m.login.auth)
      .send({ current_password: m.password, new_password: 'kept sessions password 31', revoke_other_sessions: false })
      .expect(200);
    expect(r.body.revoked_sessions).toBe(0);
    await t.http.get('/me').set(other.auth).expect(200);
  });

  it('a fresh TOTP verification lets the owner bind a factor of another type', async () => {
    const v = await victimWith(t, 'totp');
    nextStepStart(t, 31);
    const fresh = await verifyTotp(t, (await passwordOnly(t, v)).auth, v.totpSecret!);
    const s = await startSms(t, fresh);
    expect(s.res.status).toBe(200);
    await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(fresh)
      .send({ code: await s.code!() })
      .expect(200);
    const again = await enrolTotp(t, fresh); // replacing the authenticator, fresh
    expect(again.secret).not.toBe(v.totpSecret);
  });
});
