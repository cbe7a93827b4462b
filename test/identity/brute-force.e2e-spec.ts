import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { enrolTotp, verifyTotp } from '../policy/helpers.js';

describe('brute-force control (F02.07.09) on login', () => {
  let t: TestApp;
  beforeAll(async () => {
    // the per-account counter alone: the per-address throttle (test/lifecycle/login-abuse) is set out of the way
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, LOGIN_ADDRESS_MAX_FAILURES: '10000' } });
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.advance(3600_000));

  const wrong = (email = ADMIN.email) => t.http.post('/auth/login').send({ email, password: 'definitely-wrong' });

  it('refuses for exactly 1, 2, 4, 8, 16, 30, 30 s after consecutive failures, without evaluating; success resets', async () => {
    const waits: number[] = [];
    expectProblem(await wrong(), 401, 'invalid_credentials');
    for (let i = 0; i < 7; i++) {
      const refused = await wrong();
      expectProblem(refused, 429, 'too_many_attempts');
      const retryAfter = Number(refused.headers['retry-after']);
      waits.push(retryAfter);
      t.clock.advance(retryAfter * 1000 - 1);
      // still inside the window: refused again, even with the right password (not evaluated)
      expectProblem(await t.http.post('/auth/login').send(ADMIN), 429, 'too_many_attempts');
      t.clock.advance(1);
      expectProblem(await wrong(), 401, 'invalid_credentials');
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 30, 30]);
    t.clock.advance(30_000);
    await login(t, ADMIN.email, ADMIN.password);
    // reset: a new failure waits 1 s again
    expectProblem(await wrong(), 401, 'invalid_credentials');
    expect(Number((await wrong()).headers['retry-after'])).toBe(1);
  });

  it('evaluates at most one of 50 parallel wrong attempts', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => wrong()));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(49);
    t.clock.advance(2000);
    const admin = await adminLogin(t);
    await t.settle();
    const failed = (await t.http.get('/auth/security-events?type=login_failed&limit=200').set(admin.auth)).body.items;
    const recent = failed.filter((e: { occurred_at: string }) => Date.parse(e.occurred_at) >= t.clock.now().getTime() - 5000);
    expect(recent).toHaveLength(1);
  });

  it('lets 8 parallel correct logins to one account all succeed (queued, not refused), each with its own session', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => t.http.post('/auth/login').send(ADMIN)));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(new Set(results.map((r) => r.body.session_id as string)).size).toBe(8);
    // and a wrong guess queued among right ones is still evaluated once, then backs off
    const mixed = await Promise.all([wrong(), wrong(), t.http.post('/auth/login').send(ADMIN)]);
    expect(mixed.map((r) => r.status)).toEqual([401, 429, 429]);
  });

  it('locks the credential after 100 consecutive failures, e-mails the owner, and an operator can unlock', async () => {
    let admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'victim@club.test' });
    for (let i = 0; i < 100; i++) {
      expect((await wrong('victim@club.test')).status).toBe(401);
      t.clock.advance(31_000);
    }
    expectProblem(await t.http.post('/auth/login').send({ email: 'victim@club.test', password: m.password }), 423, 'credential_locked');
    await t.settle();
    const mails = readOutbox(t.dataDir).filter((x) => x.securityEvent === 'account_locked');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toContain('victim@club.test');

    admin = await adminLogin(t);
    const other = await addMember(t, admin, { email: 'bystander@club.test' });
    const bystander = await login(t, 'bystander@club.test', other.password);
    expectProblem(await t.http.post(`/sys/users/${m.user_id}/unlock`).set(bystander.auth), 403, 'sys_role_required');
    // the operator's password alone is not enough: unlocking needs a fresh second factor
    expectProblem(await t.http.post(`/sys/users/${m.user_id}/unlock`).set(admin.auth), 403, 'mfa_step_up_required');
    const { secret } = await enrolTotp(t, admin.auth);
    const fresh = await verifyTotp(t, admin.auth, secret);
    await t.http.post(`/sys/users/${m.user_id}/unlock`).set(fresh).expect(200);
    await login(t, 'victim@club.test', m.password);
    // 100 argon2id verifies: on a loaded shared machine (~250 ms each) that alone passes 30 s
  }, 120_000);
});
