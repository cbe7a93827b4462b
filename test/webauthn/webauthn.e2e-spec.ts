import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login, type Login } from '../support/identity.js';
import { SoftAuthenticator } from './soft-authenticator.js';
import { mailsOfType, securityEventTypes } from './support.js';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';

const ORIGIN = 'https://app.petanque.test';
const ENV = {
  ...BOOTSTRAP_ENV,
  WEBAUTHN_RP_ID: 'petanque.test',
  WEBAUTHN_RP_NAME: 'Petanque Life',
  WEBAUTHN_ORIGINS: `${ORIGIN},https://petanque.test`,
};

describe('WebAuthn passkeys over the API (software authenticator)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({ env: ENV });
    admin = await adminLogin(t);
  });
  afterAll(() => t.close());

  let n = 0;
  async function newMember(): Promise<Login & { email: string; password: string; user_id: string }> {
    const email = `player${++n}@club.test`;
    admin = await adminLogin(t); // the manual clock moves past access-token lifetimes
    const m = await addMember(t, admin, { email });
    return { ...(await login(t, email, m.password)), email, password: m.password, user_id: m.user_id };
  }
  async function register(l: { auth: { Authorization: string } }, a: SoftAuthenticator, name?: string) {
    const o = await t.http.post('/auth/mfa/webauthn/register/options').set(l.auth).expect(200);
    return t.http
      .post('/auth/mfa/webauthn/register/verify')
      .set(l.auth)
      .send({ response: a.create(o.body), ...(name ? { name } : {}) });
  }
  async function stepUp(l: { auth: { Authorization: string } }, a: SoftAuthenticator, lies = {}) {
    const o = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(l.auth).expect(200);
    return t.http
      .post('/auth/mfa/webauthn/authenticate/verify')
      .set(l.auth)
      .send({ response: a.get(o.body, lies) });
  }
  async function passwordless(a: SoftAuthenticator, lies = {}) {
    const o = await t.http.post('/auth/passkey/login/options').expect(200);
    return t.http.post('/auth/passkey/login/verify').send({ attempt_id: o.body.attempt_id, response: a.get(o.body.options, lies) });
  }
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** Asserts the problem, then waits out the brute-force backoff a failed verify starts (max 30 s). */
  const failed = (res: Parameters<typeof expectProblem>[0], status: number, code: string) => {
    expectProblem(res, status, code);
    t.clock.advance(31_000);
  };

  it('registers a passkey (packed self attestation), stores it, audits and e-mails the enrolment', async () => {
    const u = await newMember();
    const o = await t.http.post('/auth/mfa/webauthn/register/options').set(u.auth).expect(200);
    expect(o.body).toMatchObject({ rp: { id: 'petanque.test', name: 'Petanque Life' }, user: { name: u.email }, excludeCredentials: [] });
    expect(o.body.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(Buffer.from(o.body.challenge, 'base64url').length).toBeGreaterThanOrEqual(16);

    const a = new SoftAuthenticator(ORIGIN, { attestation: 'packed' });
    const response = a.create(o.body);
    const res = await t.http.post('/auth/mfa/webauthn/register/verify').set(u.auth).send({ response, name: 'Laptop' }).expect(201);
    expect(res.body).toMatchObject({
      enrolled: true,
      method: 'webauthn',
      credential: { id: response.id, name: 'Laptop', counter: 0, transports: ['internal'] },
    });
    expect(res.body.credential.public_key).toBeUndefined();

    // the same response again from this password-only session: binding now needs the passkey it has (issue 10)
    failed(await t.http.post('/auth/mfa/webauthn/register/verify').set(u.auth).send({ response }), 403, 'mfa_step_up_required');

    const list = await t.http.get('/auth/mfa/webauthn/credentials').set(u.auth).expect(200);
    expect(list.body.items.map((c: { id: string; aaguid: string }) => [c.id, c.aaguid])).toEqual([
      [response.id, '5ac1f7a2-c1d5-4a6b-9c9b-0e5d6f7a8b9c'],
    ]);
    const methods = await t.http.get('/auth/mfa/methods').set(u.auth).expect(200);
    expect(methods.body.webauthn).toEqual({ credential_count: 1 });

    await t.settle();
    expect(await securityEventTypes(t, u.auth)).toContain('mfa_enrolled');
    expect(mailsOfType(t, 'mfa_enrolled', u.email)).toHaveLength(1);

    // a second authenticator needs a fresh second factor first; existing ones are excluded
    failed(await t.http.post('/auth/mfa/webauthn/register/options').set(u.auth), 403, 'mfa_step_up_required');
    const up = await stepUp(u, a);
    expect(up.status).toBe(200);
    const fresh = { auth: bearer(up.body.access_token) };
    // and with a fresh session: its challenge is spent
    failed(await t.http.post('/auth/mfa/webauthn/register/verify').set(fresh.auth).send({ response }), 400, 'webauthn_challenge_invalid');
    const o2 = await t.http.post('/auth/mfa/webauthn/register/options').set(fresh.auth).expect(200);
    expect(o2.body.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([response.id]);
    const b = new SoftAuthenticator(ORIGIN, { attestation: 'none' });
    const r2 = await t.http
      .post('/auth/mfa/webauthn/register/verify')
      .set(fresh.auth)
      .send({ response: b.create(o2.body) })
      .expect(201);
    expect(r2.body.credential.name).toBe('Passkey 2');
  });

  it('steps up: amr gets hwk and user (UV), the token carries mfa_at; replay, foreign and expired challenges fail', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN);
    expect((await register(u, a)).status).toBe(201);
    const o = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(u.auth).expect(200);
    expect(o.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([a.credentials.map((c) => c.id.toString('base64url'))[0]]);
    expect(o.body.userVerification).toBe('preferred');
    const assertion = a.get(o.body);
    const res = await t.http.post('/auth/mfa/webauthn/authenticate/verify').set(u.auth).send({ response: assertion }).expect(200);
    expect(res.body.amr).toEqual(expect.arrayContaining(['pwd', 'hwk', 'user', 'mfa']));
    const me = await t.http.get('/me').set(bearer(res.body.access_token)).expect(200);
    expect(me.body.mfa_at).toBe(res.body.mfa_at);
    expect(me.body.amr).toContain('hwk');

    failed(
      await t.http.post('/auth/mfa/webauthn/authenticate/verify').set(u.auth).send({ response: assertion }),
      400,
      'webauthn_challenge_invalid',
    );

    // a challenge issued to another session of the same user
    const other = await login(t, u.email, u.password);
    const o2 = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(other.auth).expect(200);
    failed(
      await t.http
        .post('/auth/mfa/webauthn/authenticate/verify')
        .set(u.auth)
        .send({ response: a.get(o2.body) }),
      400,
      'webauthn_challenge_invalid',
    );
    // a challenge the server never issued
    const o3 = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(u.auth).expect(200);
    failed(
      await t.http
        .post('/auth/mfa/webauthn/authenticate/verify')
        .set(u.auth)
        .send({ response: a.get(o3.body, { challenge: Buffer.alloc(32, 7).toString('base64url') }) }),
      400,
      'webauthn_challenge_invalid',
    );
    // expired after 5 minutes
    const o4 = await t.http.post('/auth/mfa/webauthn/authenticate/options').set(u.auth).expect(200);
    t.clock.advance(5 * 60 * 1000 + 1000);
    failed(
      await t.http
        .post('/auth/mfa/webauthn/authenticate/verify')
        .set(u.auth)
        .send({ response: a.get(o4.body) }),
      400,
      'webauthn_challenge_invalid',
    );
    // a passwordless challenge is not a step-up challenge
    const pw = await t.http.post('/auth/passkey/login/options').expect(200);
    failed(
      await t.http
        .post('/auth/mfa/webauthn/authenticate/verify')
        .set(u.auth)
        .send({ response: a.get(pw.body.options) }),
      400,
      'webauthn_challenge_invalid',
    );
  });

  it('rejects a wrong origin and a wrong RP ID (and counts them as failed MFA attempts)', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN);
    const badReg = await t.http.post('/auth/mfa/webauthn/register/options').set(u.auth).expect(200);
    failed(
      await t.http
        .post('/auth/mfa/webauthn/register/verify')
        .set(u.auth)
        .send({ response: new SoftAuthenticator(ORIGIN).create(badReg.body, { origin: 'https://petanque-life.evil.test' }) }),
      400,
      'webauthn_origin_mismatch',
    );
    expect((await register(u, a)).status).toBe(201);
    failed(await stepUp(u, a, { origin: 'https://evil.test' }), 400, 'webauthn_origin_mismatch');
    failed(await stepUp(u, a, { rpId: 'evil.test' }), 400, 'webauthn_rp_id_mismatch');
    failed(await passwordless(a, { origin: 'http://app.petanque.test' }), 400, 'webauthn_origin_mismatch');
    failed(await passwordless(a, { rpId: 'app.evil.test' }), 400, 'webauthn_rp_id_mismatch');
    await t.settle();
    expect((await securityEventTypes(t, u.auth)).filter((x) => x === 'mfa_verification_failed').length).toBeGreaterThanOrEqual(4);
    expect((await stepUp(u, a)).status).toBe(200); // the real authenticator still works
  });

  it('logs in passwordless with a discoverable credential: new session, new_login, MFA when UV was performed', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN);
    await register(u, a);
    const o = await t.http.post('/auth/passkey/login/options').expect(200);
    expect(o.body.attempt_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.body.options.allowCredentials ?? []).toEqual([]);
    const response = a.get(o.body.options);
    const res = await t.http.post('/auth/passkey/login/verify').send({ attempt_id: o.body.attempt_id, response }).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'session_id', 'token_type']);
    expect(res.body.session_id).not.toBe(u.session_id);
    const me = await t.http.get('/me').set(bearer(res.body.access_token)).expect(200);
    expect(me.body.user.email).toBe(u.email);
    expect(me.body.tenant.id).toBe(admin.tenant_id);
    expect(me.body.amr).toEqual(expect.arrayContaining(['hwk', 'user', 'mfa']));
    expect(me.body.mfa_at).toEqual(expect.any(Number));
    const sessions = await t.http.get('/auth/sessions').set(bearer(res.body.access_token)).expect(200);
    expect(sessions.body.items).toHaveLength(2);
    await t.http.post('/auth/refresh').send({ refresh_token: res.body.refresh_token }).expect(200);

    // the response is single use, and bound to its attempt
    failed(
      await t.http.post('/auth/passkey/login/verify').send({ attempt_id: o.body.attempt_id, response }),
      400,
      'webauthn_challenge_invalid',
    );
    const o2 = await t.http.post('/auth/passkey/login/options').expect(200);
    const o3 = await t.http.post('/auth/passkey/login/options').expect(200);
    failed(
      await t.http.post('/auth/passkey/login/verify').send({ attempt_id: o3.body.attempt_id, response: a.get(o2.body.options) }),
      400,
      'webauthn_challenge_invalid',
    );
    // a non-discoverable answer (no user handle) cannot sign in without a user
    failed(await passwordless(a, { noUserHandle: true }), 400, 'webauthn_not_discoverable');
    // bad input is a 400, never a 500
    failed(
      await t.http.post('/auth/passkey/login/verify').send({ attempt_id: o3.body.attempt_id, response: {} }),
      400,
      'webauthn_response_malformed',
    );
    failed(await t.http.post('/auth/passkey/login/verify').send({ attempt_id: 'nope', response: {} }), 400, 'validation_failed');

    await t.settle();
    expect(await securityEventTypes(t, bearer(res.body.access_token))).toContain('new_login');
  });

  it('without user verification: passwordless gives no MFA (step-up required), and step-up gives hwk without user', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN, { uv: false });
    const reg = await register(u, a);
    expect(reg.status).toBe(201);
    const res = await passwordless(a);
    expect(res.status).toBe(200);
    const s = bearer(res.body.access_token);
    const me = await t.http.get('/me').set(s).expect(200);
    expect(me.body.amr).toEqual(['hwk']);
    expect(me.body.mfa_at).toBeNull();
    failed(await t.http.delete(`/auth/mfa/webauthn/credentials/${reg.body.credential.id}`).set(s), 403, 'mfa_step_up_required');
    const up = await stepUp({ auth: s }, a);
    expect(up.status).toBe(200);
    expect(up.body.amr).toEqual(expect.arrayContaining(['hwk', 'mfa']));
    expect(up.body.amr).not.toContain('user');
  });

  it('rejects a counter regression (cloned authenticator) with a security event and e-mail; always-0 counters are fine', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN);
    await register(u, a);
    expect((await stepUp(u, a)).status).toBe(200); // counter 1
    expect((await stepUp(u, a)).status).toBe(200); // counter 2
    failed(await stepUp(u, a, { counter: 2 }), 400, 'webauthn_counter_regression');
    failed(await passwordless(a, { counter: 1 }), 400, 'webauthn_counter_regression');
    await t.settle();
    expect(await securityEventTypes(t, u.auth)).toContain('webauthn_counter_regression');
    expect(mailsOfType(t, 'webauthn_counter_regression', u.email)).toHaveLength(2);
    const list = await t.http.get('/auth/mfa/webauthn/credentials').set(u.auth).expect(200);
    expect(list.body.items[0].counter).toBe(2);

    const v = await newMember();
    const zero = new SoftAuthenticator(ORIGIN, { zeroCounter: true });
    await register(v, zero);
    expect((await stepUp(v, zero)).status).toBe(200);
    expect((await stepUp(v, zero)).status).toBe(200);
    expect((await passwordless(zero)).status).toBe(200);
  });

  it('manages credentials: rename, delete with fresh MFA (audited, e-mailed), deleted passkeys no longer work', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN);
    const reg = await register(u, a, 'Phone');
    const id = reg.body.credential.id as string;
    const renamed = await t.http.patch(`/auth/mfa/webauthn/credentials/${id}`).set(u.auth).send({ name: '  Work   phone ' }).expect(200);
    expect(renamed.body.name).toBe('Work phone');
    failed(await t.http.patch(`/auth/mfa/webauthn/credentials/${id}`).set(u.auth).send({ name: '', extra: 1 }), 400, 'validation_failed');
    failed(
      await t.http
        .patch(`/auth/mfa/webauthn/credentials/${'A'.repeat(22)}`)
        .set(u.auth)
        .send({ name: 'x' }),
      404,
      'webauthn_credential_not_found',
    );
    failed(await t.http.patch('/auth/mfa/webauthn/credentials/unknown-id').set(u.auth).send({ name: 'x' }), 400, 'validation_failed');
    // another user cannot touch it
    const other = await newMember();
    failed(
      await t.http.patch(`/auth/mfa/webauthn/credentials/${id}`).set(other.auth).send({ name: 'mine' }),
      404,
      'webauthn_credential_not_found',
    );

    failed(await t.http.delete(`/auth/mfa/webauthn/credentials/${id}`).set(u.auth), 403, 'mfa_step_up_required');
    const up = await stepUp(u, a);
    const del = await t.http.delete(`/auth/mfa/webauthn/credentials/${id}`).set(bearer(up.body.access_token)).expect(200);
    expect(del.body).toEqual({ deleted: true, remaining_credentials: 0 });
    expect((await t.http.get('/auth/mfa/webauthn/credentials').set(u.auth).expect(200)).body.items).toEqual([]);
    expect((await t.http.get('/auth/mfa/methods').set(u.auth).expect(200)).body.webauthn).toEqual({ credential_count: 0 });
    failed(await t.http.post('/auth/mfa/webauthn/authenticate/options').set(u.auth), 400, 'webauthn_not_enrolled');
    failed(await passwordless(a), 400, 'webauthn_credential_unknown');
    await t.settle();
    expect(await securityEventTypes(t, u.auth)).toContain('mfa_disabled');
    expect(mailsOfType(t, 'mfa_disabled', u.email)).toHaveLength(1);
  });

  it('refuses prototype keys as credential ids (400, before any lookup) and appends nothing', async () => {
    const u = await newMember();
    const a = new SoftAuthenticator(ORIGIN);
    expect((await register(u, a, 'Phone')).status).toBe(201);
    const up = await stepUp(u, a);
    expect(up.status).toBe(200);
    const fresh = bearer(up.body.access_token);
    const store = t.app.get<EventStore>(EVENT_STORE, { strict: false });
    const before = (await store.readStream(`webauthn-${u.user_id}`)).length;
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expectProblem(await t.http.patch(`/auth/mfa/webauthn/credentials/${key}`).set(fresh).send({ name: 'x' }), 400, 'validation_failed');
      expectProblem(await t.http.delete(`/auth/mfa/webauthn/credentials/${key}`).set(fresh), 400, 'validation_failed');
    }
    expect((await store.readStream(`webauthn-${u.user_id}`)).length).toBe(before);
    expect((await t.http.get('/auth/mfa/webauthn/credentials').set(fresh).expect(200)).body.items).toHaveLength(1);
  });
});
