import { base32Decode } from '../../src/mfa/totp/totp.core.js';
import { adminLogin, addMember, bearer, login } from '../support/identity.js';
import { BOOTSTRAP_ENV } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { codeAt, dataFiles, decodeQrSvg, mailsOfType, nextStepStart, upgradeWith } from './support.js';

type Auth = { Authorization: string };

describe('TOTP authenticator apps (e2e)', () => {
  let t: TestApp;
  let auth: Auth;
  let secret: string;
  const email = 'Totp.User@club.test';

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    const admin = await adminLogin(t);
    const m = await addMember(t, admin, { email });
    auth = (await login(t, email.toLowerCase(), m.password)).auth;
  });
  afterAll(() => t.close());

  it('enrols: 160-bit base32 secret, Key URI that round-trips, and a QR code that decodes to it', async () => {
    const res = await t.http.post('/auth/mfa/totp/enroll').set(auth).expect(200);
    secret = res.body.secret;
    expect(secret).toMatch(/^[A-Z2-7]+$/); // base32, no padding
    expect(base32Decode(secret).length).toBeGreaterThanOrEqual(20);

    const uri = new URL(res.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Petanque Life:totp.user@club.test');
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret, issuer: 'Petanque Life', algorithm: 'SHA1', digits: '6', period: '30' });

    expect(res.body.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(decodeQrSvg(res.body.qr_svg)).toBe(res.body.otpauth_uri);

    // pending: not enrolled yet, and verify is refused
    const methods = await t.http.get('/auth/mfa/methods').set(auth).expect(200);
    expect(methods.body.totp).toEqual({ enrolled: false, confirmed_at: null });
    expectProblem(
      await t.http
        .post('/auth/mfa/totp/verify')
        .set(auth)
        .send({ code: codeAt(t, secret) }),
      400,
      'totp_not_enrolled',
    );
  });

  it('confirms with a code from the URI secret: enrolled (the session is not upgraded), security event and e-mail', async () => {
    expectProblem(
      await t.http
        .post('/auth/mfa/totp/confirm')
        .set(auth)
        .send({ code: '000000' === codeAt(t, secret) ? '111111' : '000000' }),
      400,
      'invalid_code',
    );
    expectProblem(await t.http.post('/auth/mfa/totp/confirm').set(auth).send({ code: 123456 }), 400);
    t.clock.advance(2_000); // past the 1 s backoff of the failure
    const res = await t.http
      .post('/auth/mfa/totp/confirm')
      .set(auth)
      .send({ code: codeAt(t, secret) })
      .expect(200);
    // Changed with issue 10: confirming proves possession of the new factor but no longer makes the
    // session MFA-satisfied or fresh (it used to answer an upgraded token: a password-only bypass).
    expect(res.body).toEqual({ enrolled: true, method: 'totp', confirmed_at: t.clock.now().toISOString() });
    const me = await t.http.get('/me').set(auth).expect(200);
    expect(me.body.amr).toEqual(['pwd']);
    expect(me.body.mfa_at).toBeNull();

    const methods = await t.http.get('/auth/mfa/methods').set(auth).expect(200);
    expect(methods.body).toMatchObject({
      totp: { enrolled: true, confirmed_at: t.clock.now().toISOString() },
      webauthn: { credential_count: 0 },
      sms: { enrolled: false, phone_masked: null },
      email: { available: true, email_masked: expect.stringMatching(/^to\*+@club\.test$/) },
      recovery_codes: { remaining: 0 },
    });
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(auth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toContain('mfa_enrolled');
    expect(mailsOfType(t, 'mfa_enrolled', 'totp.user@club.test')).toHaveLength(1);
  });

  it('accepts codes of steps -1, 0 and +1, rejects -2 and +2', async () => {
    for (const steps of [-1, 0, 1]) {
      nextStepStart(t);
      const res = await t.http
        .post('/auth/mfa/totp/verify')
        .set(auth)
        .send({ code: codeAt(t, secret, steps) });
      expect(res.status).toBe(200);
      expect(res.body.amr).toContain('otp');
      expect(res.body.mfa_at).toBe(Math.floor(t.clock.now().getTime() / 1000));
      auth = bearer(res.body.access_token);
    }
    for (const steps of [-2, 2]) {
      nextStepStart(t);
      expectProblem(
        await t.http
          .post('/auth/mfa/totp/verify')
          .set(auth)
          .send({ code: codeAt(t, secret, steps) }),
        400,
        'invalid_code',
      );
    }
  });

  it('rejects a replayed code (same time step), records totp_replay_rejected and e-mails the owner', async () => {
    nextStepStart(t);
    const code = codeAt(t, secret);
    const ok = await t.http.post('/auth/mfa/totp/verify').set(auth).send({ code }).expect(200);
    auth = bearer(ok.body.access_token);
    t.clock.advance(5_000); // same 30 s step
    expectProblem(await t.http.post('/auth/mfa/totp/verify').set(auth).send({ code }), 400, 'code_already_used');
    // a code of the previous step is no better once a later step was accepted
    t.clock.advance(30_000);
    expectProblem(
      await t.http
        .post('/auth/mfa/totp/verify')
        .set(auth)
        .send({ code: codeAt(t, secret, -1) }),
      400,
      'code_already_used',
    );
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(auth).expect(200);
    expect(events.body.items.filter((e: { type: string }) => e.type === 'totp_replay_rejected')).toHaveLength(2);
    expect(mailsOfType(t, 'totp_replay_rejected', 'totp.user@club.test')).toHaveLength(2);
  });

  it('re-enrolment needs a fresh MFA and replaces the old secret only once the new one is confirmed', async () => {
    nextStepStart(t, 400); // mfa_at is now older than the 300 s fresh window
    expectProblem(await t.http.post('/auth/mfa/totp/enroll').set(auth), 403, 'mfa_step_up_required');
    const fresh = await t.http
      .post('/auth/mfa/totp/verify')
      .set(auth)
      .send({ code: codeAt(t, secret) })
      .expect(200);
    auth = bearer(fresh.body.access_token);
    const res = await t.http.post('/auth/mfa/totp/enroll').set(auth).expect(200);
    const next = res.body.secret as string;
    expect(next).not.toBe(secret);

    nextStepStart(t);
    await t.http
      .post('/auth/mfa/totp/verify')
      .set(auth)
      .send({ code: codeAt(t, secret) })
      .expect(200); // old app still works
    nextStepStart(t);
    await t.http
      .post('/auth/mfa/totp/confirm')
      .set(auth)
      .send({ code: codeAt(t, next) })
      .expect(200);
    nextStepStart(t);
    expectProblem(
      await t.http
        .post('/auth/mfa/totp/verify')
        .set(auth)
        .send({ code: codeAt(t, secret) }),
      400,
      'invalid_code',
    );
    t.clock.advance(2_000);
    await t.http
      .post('/auth/mfa/totp/verify')
      .set(auth)
      .send({ code: codeAt(t, next) })
      .expect(200);
    secret = next;
  });

  it('never stores the secret in plaintext or raw bytes anywhere under DATA_DIR', async () => {
    await t.settle();
    const files = dataFiles(t.dataDir);
    expect(files.some((f) => /events/.test(f.path))).toBe(true);
    expect(files.some((f) => /read/.test(f.path))).toBe(true);
    for (const f of files) {
      for (const needle of [secret, secret.toLowerCase()]) expect(f.bytes.includes(Buffer.from(needle))).toBe(false);
      expect(f.bytes.includes(base32Decode(secret))).toBe(false);
    }
  });

  it('disable needs a fresh MFA, then MfaDisabled, mfa_disabled and an e-mail', async () => {
    nextStepStart(t, 400);
    expectProblem(await t.http.delete('/auth/mfa/totp').set(auth), 403, 'mfa_step_up_required');
    auth = await upgradeWith(t, auth, codeAt(t, secret));
    await t.http.delete('/auth/mfa/totp').set(auth).expect(204);
    expect((await t.http.get('/auth/mfa/methods').set(auth).expect(200)).body.totp).toEqual({ enrolled: false, confirmed_at: null });
    expectProblem(await t.http.delete('/auth/mfa/totp').set(auth), 404, 'totp_not_enrolled');
    await t.settle();
    expect(mailsOfType(t, 'mfa_disabled', 'totp.user@club.test')).toHaveLength(1);
  });
});
