import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, bearer, BOOTSTRAP_ENV, login, UA, type Login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { codeAt, nextStepStart } from '../totp/support.js';
import { codeOf, eventually, outboxFiles } from '../sms-email/support.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';
import { forgot, lockPassword, withTotp, registerPasskey, resetMails, secondTenant } from './support.js';

const ORIGIN = 'https://app.petanque.test';
const NEW = 'a brand new password 456';

describe('forgotten password (issue 16 item 1)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  let n = 0;
  beforeAll(async () => {
    t = await startTestApp({
      env: { ...BOOTSTRAP_ENV, TRUST_PROXY: 'loopback', WEBAUTHN_RP_ID: 'petanque.test', WEBAUTHN_ORIGINS: ORIGIN },
    });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    t.clock.advance(2 * 3600_000); // fresh send limits and backoffs
    admin = await adminLogin(t);
  });

  async function member(): Promise<Login & { email: string; password: string; user_id: string }> {
    const email = `reset${++n}@club.test`;
    const m = await addMember(t, admin, { email });
    return { ...(await login(t, email, m.password)), email, password: m.password, user_id: m.user_id };
  }
  const reset = (token: string, body: Record<string, unknown> = {}) =>
    t.http.post('/auth/password/reset').send({ token, new_password: NEW, ...body });

  it('forgot -> e-mail -> reset: old sessions and refresh tokens die on the next request, a security e-mail follows; the link is single use', async () => {
    const u = await member();
    const second = await login(t, u.email, u.password, { ua: UA.safariIphone });
    const res = await t.http.post('/auth/password/forgot').send({ email: u.email });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true });
    const token = await forgot(t, u.email);
    const mail = resetMails(t, u.email).at(-1)!;
    expect(mail.raw).toContain('/account/reset-password#token=');

    const done = await reset(token).expect(200);
    expect(done.body).toEqual({ reset: true, revoked_sessions: 2 });
    for (const s of [u, second]) {
      expectProblem(await t.http.get('/me').set(s.auth), 401, 'session_revoked');
      expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: s.refresh_token }), 401, 'session_revoked');
    }
    expectProblem(await t.http.post('/auth/login').send({ email: u.email, password: u.password }), 401, 'invalid_credentials');
    t.clock.advance(2000); // the per-account backoff of that failure
    const fresh = await login(t, u.email, NEW);
    await t.settle();
    expect(readOutbox(t.dataDir).filter((m) => m.securityEvent === 'password_reset' && m.to.includes(u.email))).toHaveLength(1);
    const events = (await t.http.get('/auth/security-events').set(fresh.auth).expect(200)).body.items.map((e: { type: string }) => e.type);
    expect(events).toEqual(expect.arrayContaining(['password_reset', 'password_reset_requested']));

    expectProblem(await reset(token, { new_password: 'yet another password 789' }), 400, 'reset_token_used');
  });

  it('answers an unknown address exactly like a known one, and sends nothing', async () => {
    const u = await member();
    const known = await t.http.post('/auth/password/forgot').send({ email: u.email });
    const unknown = await t.http.post('/auth/password/forgot').send({ email: 'nobody-here@club.test' });
    expect([unknown.status, unknown.body, unknown.headers['content-type']]).toEqual([
      known.status,
      known.body,
      known.headers['content-type'],
    ]);
    await eventually(t, () => resetMails(t, u.email).length === 1);
    expect(readOutbox(t.dataDir).filter((m) => m.to.includes('nobody-here'))).toHaveLength(0);
  });

  it('refuses an expired link (30 min), a forged one, and a link issued before a later reset', async () => {
    const u = await member();
    const first = await forgot(t, u.email);
    const second = await forgot(t, u.email);
    t.clock.advance(30 * 60_000);
    expectProblem(await reset(second), 400, 'reset_token_expired');
    const third = await forgot(t, u.email);
    const forged = `${third.slice(0, -1)}${third.endsWith('A') ? 'B' : 'A'}`;
    expectProblem(await reset(forged), 400, 'invalid_reset_token');
    expectProblem(await reset('not-a-token'), 400, 'invalid_reset_token');
    await reset(third).expect(200);
    t.clock.advance(-31 * 60_000); // even back inside its lifetime, the first link died with the reset
    expectProblem(await reset(first, { new_password: 'and one more password 000' }), 400, 'reset_token_superseded');
    t.clock.advance(31 * 60_000);
  });

  it('sends at most 3 links per address per hour (the 4th answer is the same, but nothing is sent)', async () => {
    const u = await member();
    for (let i = 0; i < 3; i++) await forgot(t, u.email);
    expect((await t.http.post('/auth/password/forgot').send({ email: u.email.toUpperCase() })).status).toBe(202);
    await t.settle();
    await new Promise((r) => setTimeout(r, 200));
    await t.settle();
    expect(resetMails(t, u.email)).toHaveLength(3);
    t.clock.advance(3600_000);
    await forgot(t, u.email);
  });

  it('a user with TOTP cannot reset with the e-mail alone (401 mfa_required, nothing changes) but can with a TOTP code; trusted devices die', async () => {
    const u = await member();
    const { secret, fresh } = await withTotp(t, u);
    const device = await t.http.post('/auth/mfa/trusted-devices').set(fresh).send({}).expect(201);
    const token = await forgot(t, u.email);

    const refused = await reset(token);
    expectProblem(refused, 401, 'mfa_required');
    expect(refused.body.allowed_methods).toEqual(['totp']);
    await t.http.get('/me').set(u.auth).expect(200); // nothing changed
    await login(t, u.email, u.password);

    nextStepStart(t);
    expectProblem(
      await reset(token, { mfa: { method: 'totp', code: codeAt(t, secret) === '000000' ? '111111' : '000000' } }),
      400,
      'invalid_code',
    );
    // the factor check is under the same brute-force counter as every code check
    expectProblem(await reset(token, { mfa: { method: 'totp', code: codeAt(t, secret) } }), 429, 'too_many_attempts');
    expectProblem(await reset(token, { mfa: { method: 'sms', code: '123456' } }), 400, 'mfa_method_not_available');
    t.clock.advance(2000);
    await reset(token, { mfa: { method: 'totp', code: codeAt(t, secret) } }).expect(200);

    expectProblem(await t.http.get('/me').set(fresh), 401, 'session_revoked');
    const after = await login(t, u.email, NEW, { deviceToken: device.body.device_token });
    const me = await t.http.get('/me').set(after.auth).expect(200);
    expect(me.body.amr).not.toContain('trusted_device');
  });

  it('a user with TOTP can reset with a recovery code instead', async () => {
    const u = await member();
    const { fresh } = await withTotp(t, u);
    const codes = (await t.http.post('/auth/mfa/recovery-codes/generate').set(fresh).send({}).expect(200)).body.codes as string[];
    const token = await forgot(t, u.email);
    const refused = await reset(token);
    expectProblem(refused, 401, 'mfa_required');
    expect(refused.body.allowed_methods).toEqual(['totp', 'recovery_code']);
    await reset(token, { mfa: { method: 'recovery_code', code: codes[0] } }).expect(200);
    await login(t, u.email, NEW);
    const count = await t.http.get('/auth/mfa/recovery-codes/count').set((await login(t, u.email, NEW)).auth);
    expect(count.body.remaining).toBe(9);
  });

  it('with SMS: /reset/sms-challenge sends a code to the enrolled phone and the reset takes it', async () => {
    const u = await member();
    t.clock.advance(31_000);
    await t.http.post('/auth/mfa/sms/enroll').set(u.auth).send({ phone: '+46 70 123 45 67' }).expect(200);
    const enrolCode = codeOf((await eventually(t, () => outboxFiles(t, '.sms').at(-1))).text);
    await t.http.post('/auth/mfa/sms/enroll/confirm').set(u.auth).send({ code: enrolCode }).expect(200);
    const token = await forgot(t, u.email);
    expect((await reset(token)).body.allowed_methods).toEqual(['sms']);
    t.clock.advance(31_000);
    const ch = await t.http.post('/auth/password/reset/sms-challenge').send({ token }).expect(200);
    expect(ch.body.phone_masked).toMatch(/67$/);
    const code = codeOf((await eventually(t, () => outboxFiles(t, '.sms').find((f) => f.name.includes(ch.body.challenge_id)))).text);
    await reset(token, { mfa: { method: 'sms', code } }).expect(200);
    await login(t, u.email, NEW);
  });

  it('with a passkey: /reset/webauthn-options gives a challenge bound to the reset, and the assertion completes it', async () => {
    const u = await member();
    const key = new SoftAuthenticator(ORIGIN);
    await registerPasskey(t, u.auth, key);
    const token = await forgot(t, u.email);
    expect((await reset(token)).body.allowed_methods).toEqual(['webauthn']);
    const options = await t.http.post('/auth/password/reset/webauthn-options').send({ token }).expect(200);
    // a challenge for a session's step-up cannot be used for the reset
    const stepUp = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(u.auth).expect(200);
    expectProblem(await reset(token, { mfa: { method: 'webauthn', assertion: key.get(stepUp.body) } }), 400, 'webauthn_challenge_invalid');
    t.clock.advance(2000);
    await reset(token, { mfa: { method: 'webauthn', assertion: key.get(options.body) } }).expect(200);
    await login(t, u.email, NEW);
  });

  it('a locked account is unlocked by a completed reset; another tenant and its user are untouched', async () => {
    const other = await secondTenant(t, 'admin2@other.test', 'second tenant admin pw 1');
    const u = await member();
    await lockPassword(t, u.email);
    expectProblem(await t.http.post('/auth/login').send({ email: u.email, password: u.password }), 423, 'credential_locked');
    const token = await forgot(t, u.email);
    await reset(token).expect(200);
    await login(t, u.email, NEW);
    // the other tenant's admin kept their session
    const refreshed = await t.http.post('/auth/refresh').send({ refresh_token: other.refresh_token }).expect(200);
    const me = await t.http.get('/me').set(bearer(refreshed.body.access_token)).expect(200);
    expect(me.body.tenant.id).toBe(other.tenant_id);
  }, 120_000); // 100 argon2id verifies on a loaded machine

  it('bad input: 400 problem+json naming the field', async () => {
    for (const [path, body, field] of [
      ['/auth/password/forgot', { email: 'not-an-email' }, 'email'],
      ['/auth/password/forgot', {}, 'email'],
      ['/auth/password/reset', { token: 'x' }, 'new_password'],
      ['/auth/password/reset', { new_password: NEW }, 'token'],
      ['/auth/password/reset', { token: 'x', new_password: NEW, mfa: { method: 'carrier_pigeon' } }, 'method'],
      ['/auth/password/reset', { token: 'x', new_password: NEW, mfa: { method: 'webauthn' } }, 'assertion'],
      ['/auth/password/reset/sms-challenge', { token: 5 }, 'token'],
      ['/auth/password/reset/webauthn-options', { token: 'x', extra: 1 }, 'extra'],
    ] as const) {
      const res = await t.http.post(path).send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.body)).toContain(field);
    }
    expectProblem(await t.http.post('/auth/password/reset').send({ token: 'x', new_password: 'short' }), 400, 'weak_password');
  });
});
