import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, adminLogin, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';

const refresh = (t: TestApp, token: string, ua = UA.firefoxWindows, ip?: string) => {
  let req = t.http.post('/auth/refresh').set('User-Agent', ua);
  if (ip) req = req.set('X-Forwarded-For', ip);
  return req.send({ refresh_token: token });
};

describe('refresh grace: same client only, recorded, configurable; no session-state oracle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, TRUST_PROXY: 'loopback' } }); // X-Forwarded-For plays clients behind a local proxy
    await adminLogin(t);
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.advance(60_000));

  it('answers the same client twice with one new pair and records refresh_grace_used for the user', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    const a = await refresh(t, l.refresh_token).expect(200);
    const b = await refresh(t, l.refresh_token).expect(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);
    await t.settle();
    const ev = (await t.http.get('/auth/security-events?type=refresh_grace_used').set(l.auth).expect(200)).body.items;
    expect(ev).toHaveLength(1);
    expect(ev[0].details).toMatchObject({ session_id: l.session_id, generation: 1 });
    // the grace is for one concurrent duplicate: a third presentation is reuse
    expectProblem(await refresh(t, l.refresh_token), 401, 'refresh_token_reused');
    expectProblem(await refresh(t, a.body.refresh_token), 401, 'session_revoked');
  });

  it('treats the rotated token from another user agent as reuse, even within the grace, and revokes the family', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    const a = await refresh(t, l.refresh_token).expect(200);
    expectProblem(await refresh(t, l.refresh_token, UA.chromeMac), 401, 'refresh_token_reused');
    expectProblem(await refresh(t, a.body.refresh_token), 401, 'session_revoked');
    expectProblem(await t.http.get('/me').set({ Authorization: `Bearer ${a.body.access_token}` }), 401, 'session_revoked');
  });

  it('treats the rotated token from another client address as reuse, even within the grace', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password, { ip: '81.170.128.1' });
    await refresh(t, l.refresh_token, UA.firefoxWindows, '81.170.128.1').expect(200);
    expectProblem(await refresh(t, l.refresh_token, UA.firefoxWindows, '203.0.113.9'), 401, 'refresh_token_reused');
  });

  it('answers a random secret beside a real session id with invalid_refresh_token whether the session is live, revoked or expired', async () => {
    const random = (sid: string) => `${sid}.${'Q'.repeat(43)}`;
    const live = await login(t, ADMIN.email, ADMIN.password);
    expectProblem(await refresh(t, random(live.session_id)), 401, 'invalid_refresh_token');
    await t.http.post('/auth/logout').set(live.auth).expect(204);
    expectProblem(await refresh(t, random(live.session_id)), 401, 'invalid_refresh_token');
    // the owner's real token still tells them the truth
    expectProblem(await refresh(t, live.refresh_token), 401, 'session_revoked');
    const old = await login(t, ADMIN.email, ADMIN.password);
    t.clock.advance(15 * 86_400_000);
    expectProblem(await refresh(t, random(old.session_id)), 401, 'invalid_refresh_token');
  });
});

describe('REFRESH_REUSE_GRACE_SECONDS=0 disables the grace', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, REFRESH_REUSE_GRACE_SECONDS: '0' } });
  });
  afterAll(() => t.close());

  it('treats a second presentation at once from the same client as reuse', async () => {
    expect(t.config.refreshReuseGraceSeconds).toBe(0);
    const l = await login(t, ADMIN.email, ADMIN.password);
    await refresh(t, l.refresh_token).expect(200);
    expectProblem(await refresh(t, l.refresh_token), 401, 'refresh_token_reused');
  });
});
