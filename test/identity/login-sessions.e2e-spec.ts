import { createLocalJWKSet, jwtVerify } from 'jose';
import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, adminLogin, addMember, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';

describe('login, tokens and sessions (F02.07.08)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, TRUST_PROXY: 'loopback' } }); // the tests play clients behind a local proxy
    admin = await adminLogin(t);
  });
  afterAll(() => t.close());
  // each test moves past the previous one's brute-force windows
  beforeEach(() => t.clock.advance(60_000));

  it('answers an unknown e-mail and a wrong password identically (generic 401, same shape)', async () => {
    const a = await t.http.post('/auth/login').send({ email: 'nobody@nowhere.test', password: 'whatever-password' });
    const b = await t.http.post('/auth/login').send({ email: ADMIN.email, password: 'wrong-password!!' });
    expectProblem(a, 401, 'invalid_credentials');
    expectProblem(b, 401, 'invalid_credentials');
    expect(a.body).toEqual(b.body);
    // both paths are under the same backoff: the unknown address is not distinguishable by a 429 either
    expectProblem(await t.http.post('/auth/login').send({ email: 'nobody@nowhere.test', password: 'x' }), 429, 'too_many_attempts');
    expectProblem(await t.http.post('/auth/login').send({ email: ADMIN.email, password: 'x' }), 429, 'too_many_attempts');
  });

  it('issues short-lived ES256 access tokens with the documented claims, verifiable with the JWKS', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    const [h, p] = l.access_token
      .split('.')
      .slice(0, 2)
      .map((x) => JSON.parse(Buffer.from(x, 'base64url').toString()));
    const jwks = (await t.http.get('/.well-known/jwks.json').expect(200)).body;
    expect(h).toMatchObject({ alg: 'ES256', kid: jwks.keys[0].kid });
    expect(p).toMatchObject({
      sub: admin.user_id,
      tid: admin.tenant_id,
      sid: l.session_id,
      roles: ['tenant_admin'],
      amr: ['pwd'],
      mfa_at: null,
    });
    expect(p.exp - p.iat).toBeLessThanOrEqual(900);
    // an independent JOSE implementation accepts it with the published key set
    const verified = await jwtVerify(l.access_token, createLocalJWKSet(jwks), {
      issuer: 'petanque-life',
      audience: 'petanque-life-api',
      algorithms: ['ES256'],
      currentDate: t.clock.now(),
    });
    expect(verified.payload).toMatchObject({ sub: p.sub, sid: l.session_id, jti: expect.any(String) });
    expect(verified.protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(l.refresh_token.length).toBeGreaterThan(60);
    const me = await t.http.get('/me').set(l.auth).expect(200);
    expect(me.body).toMatchObject({
      session_id: l.session_id,
      amr: ['pwd'],
      mfa_at: null,
      roles: ['tenant_admin'],
      user: { email: ADMIN.email },
    });
  });

  it('rejects missing, malformed and expired access tokens', async () => {
    expectProblem(await t.http.get('/me'), 401, 'unauthenticated');
    expectProblem(await t.http.get('/me').set('Authorization', 'Bearer not.a.jwt'), 401, 'invalid_token');
    const l = await login(t, ADMIN.email, ADMIN.password);
    t.clock.advance(901_000);
    expectProblem(await t.http.get('/me').set(l.auth), 401, 'token_expired');
  });

  it('checks a token used before (its signature is verified once) for expiry on every request; a forged payload under its signature is refused', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    await t.http.get('/me').set(l.auth).expect(200);
    const [header, payload, signature] = l.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['tenant_admin', 'owner'] })).toString('base64url')}.${signature}`;
    expectProblem(await t.http.get('/me').set('Authorization', `Bearer ${forged}`), 401, 'invalid_token');
    await t.http.get('/me').set(l.auth).expect(200);
    t.clock.advance(901_000);
    expectProblem(await t.http.get('/me').set(l.auth), 401, 'token_expired');
  });

  it('rotates refresh tokens; a rotated token presented again revokes the whole family, newest included', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    const r1 = (await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }).expect(200)).body;
    t.clock.advance(20_000); // beyond the concurrent-refresh grace
    const r2 = (await t.http.post('/auth/refresh').send({ refresh_token: r1.refresh_token }).expect(200)).body;
    expect(new Set([l.refresh_token, r1.refresh_token, r2.refresh_token]).size).toBe(3);
    t.clock.advance(20_000);
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }), 401, 'refresh_token_reused');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: r2.refresh_token }), 401, 'session_revoked');
    expectProblem(await t.http.get('/me').set({ Authorization: `Bearer ${r2.access_token}` }), 401, 'session_revoked');
    const events = (
      await t.http.get('/auth/security-events?type=refresh_token_reuse_detected').set((await login(t, ADMIN.email, ADMIN.password)).auth)
    ).body;
    expect(events.items[0].details.session_id).toBe(l.session_id);
  });

  it('a token rotated many generations ago still revokes the family (recognised by its tag, not a stored hash)', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    let token = l.refresh_token;
    for (let i = 0; i < 8; i++) {
      t.clock.advance(20_000);
      token = (await t.http.post('/auth/refresh').send({ refresh_token: token }).expect(200)).body.refresh_token;
    }
    // a forged tag on the first token's secret is only an unknown token, and revokes nothing
    const forged = `${l.refresh_token.slice(0, 37 + 43)}${'A'.repeat(22)}0`;
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: forged }), 401, 'invalid_refresh_token');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }), 401, 'refresh_token_reused');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: token }), 401, 'session_revoked');
  });

  it('answers a concurrent double refresh from one client with the same new pair and keeps the session', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    const [a, b] = await Promise.all([0, 1].map(() => t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token })));
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(a!.body.refresh_token).toBe(b!.body.refresh_token);
    await t.http.post('/auth/refresh').send({ refresh_token: a!.body.refresh_token }).expect(200);
  });

  it('rejects unknown and malformed refresh tokens without a 500', async () => {
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: 'garbage' }), 401, 'invalid_refresh_token');
    expectProblem(
      await t.http.post('/auth/refresh').send({ refresh_token: `${admin.session_id}.${'A'.repeat(43)}` }),
      401,
      'invalid_refresh_token',
    );
    expectProblem(await t.http.post('/auth/refresh').send({}), 400, 'validation_failed');
  });

  it('expires a session after its idle lifetime', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    t.clock.advance(15 * 86400_000);
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }), 401, 'refresh_token_expired');
  });

  it('logout ends the session on the very next request', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    await t.http.post('/auth/logout').set(l.auth).expect(204);
    expectProblem(await t.http.get('/me').set(l.auth), 401, 'session_revoked');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: l.refresh_token }), 401, 'session_revoked');
  });

  it('lists sessions with device, location and current flag; revokes one and revoke-all keeps the current', async () => {
    admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'player@club.test' });
    const phone = await login(t, 'player@club.test', m.password, { ua: UA.safariIphone, ip: '81.170.128.1' });
    const laptop = await login(t, 'player@club.test', m.password, { ua: UA.firefoxWindows });
    const third = await login(t, 'player@club.test', m.password, { ua: UA.chromeMac });
    const list = (await t.http.get('/auth/sessions').set(laptop.auth).expect(200)).body.items;
    expect(list).toHaveLength(3);
    const p = list.find((s: { id: string }) => s.id === phone.session_id);
    expect(p).toMatchObject({
      current: false,
      ip: '81.170.128.1',
      device: { browser: 'Mobile Safari', os: 'iOS' },
      location: { country: 'SE' },
      mfa_satisfied: false,
    });
    expect(list.find((s: { id: string }) => s.id === laptop.session_id)).toMatchObject({
      current: true,
      location: null,
      device: { browser: 'Firefox', os: 'Windows' },
    });

    // someone else's session: 404, like a missing one
    expectProblem(await t.http.delete(`/auth/sessions/${admin.session_id}`).set(laptop.auth), 404, 'session_not_found');
    expectProblem(await t.http.delete('/auth/sessions/not-a-uuid').set(laptop.auth), 404, 'session_not_found');
    await t.http.delete(`/auth/sessions/${phone.session_id}`).set(laptop.auth).expect(204);
    expectProblem(await t.http.get('/me').set(phone.auth), 401, 'session_revoked');

    const all = await t.http.post('/auth/sessions/revoke-all').set(laptop.auth).expect(200);
    expect(all.body).toEqual({ revoked: 1 });
    expectProblem(await t.http.get('/me').set(third.auth), 401, 'session_revoked');
    await t.http.get('/me').set(laptop.auth).expect(200);
    expect((await t.http.get('/auth/sessions').set(laptop.auth)).body.items.map((s: { id: string }) => s.id)).toEqual([laptop.session_id]);
  });

  it('changes the password (current one checked) and can revoke the other sessions', async () => {
    admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'pw@club.test' });
    const a = await login(t, 'pw@club.test', m.password);
    const b = await login(t, 'pw@club.test', m.password);
    expectProblem(
      await t.http.post('/auth/password').set(a.auth).send({ current_password: 'wrong-one-here', new_password: 'another long password' }),
      401,
      'invalid_credentials',
    );
    t.clock.advance(2000);
    expectProblem(
      await t.http.post('/auth/password').set(a.auth).send({ current_password: m.password, new_password: 'short' }),
      400,
      'weak_password',
    );
    const ok = await t.http
      .post('/auth/password')
      .set(a.auth)
      .send({ current_password: m.password, new_password: 'another long password', revoke_other_sessions: true })
      .expect(200);
    expect(ok.body).toEqual({ changed: true, revoked_sessions: 1 });
    expectProblem(await t.http.get('/me').set(b.auth), 401, 'session_revoked');
    await expect(login(t, 'pw@club.test', m.password)).rejects.toThrow(/401/);
    t.clock.advance(2000);
    await login(t, 'pw@club.test', 'another long password');
  });

  it.each([
    ['/auth/login', { email: 'not-an-email', password: 'x' }],
    ['/auth/login', { email: ADMIN.email, password: 'x', extra: 1 }],
    ['/auth/login', { email: ADMIN.email, password: 42 }],
    ['/auth/login', { email: ADMIN.email, password: 'x', tenant_id: 'nope' }],
    ['/auth/refresh', { refresh_token: 5 }],
  ])('rejects bad input to %s with 400 problem+json', async (path, body) => {
    expectProblem(await t.http.post(path).send(body), 400, 'validation_failed');
  });

  it('rejects bad input on the authenticated endpoints with 400', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    expectProblem(await t.http.post('/auth/password').set(l.auth).send({ current_password: 1 }), 400, 'validation_failed');
    expectProblem(await t.http.get('/auth/security-events?limit=0').set(l.auth), 400, 'validation_failed');
    expectProblem(await t.http.get('/auth/security-events?limit=abc').set(l.auth), 400, 'validation_failed');
    expectProblem(await t.http.get('/auth/security-events?cursor=%%%').set(l.auth), 400, 'invalid_cursor');
    expectProblem(await t.http.post('/auth/login').set('content-type', 'application/json').send('{"email":'), 400, 'malformed_json');
  });
});
