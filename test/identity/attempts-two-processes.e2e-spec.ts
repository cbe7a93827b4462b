import request from 'supertest';
import { ADMIN, addMember, adminLogin, bearer, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { EventStoreCommits } from '../support/wal-commits.js';
import { enrolTotp } from '../policy/helpers.js';
import { codeAt, nextStepStart } from '../totp/support.js';

/**
 * Two app processes on one set of stores (the embedded SQLite files): each has its own in-process
 * queue per counter, so only the brute-force claim, committed before a code or password is
 * evaluated, and the expected-version appends keep them honest. The success of an attempt is
 * committed in one group commit with the session event it leads to; these tests pin that this
 * neither lets a second guess be evaluated nor lets a code be used twice, and count the commits.
 */
describe('attempts across two processes, and commits per attempt', () => {
  let a: TestApp;
  let b: TestApp;
  let commits: EventStoreCommits;
  let user: { email: string; password: string; secret: string; auth: { Authorization: string } };
  const env = { ...BOOTSTRAP_ENV, LOGIN_ADDRESS_MAX_FAILURES: '10000' };

  beforeAll(async () => {
    a = await startTestApp({ env });
    b = await startTestApp({ env, dataDir: a.dataDir, clock: a.clock });
    commits = new EventStoreCommits(a.dataDir);
    const admin = await adminLogin(a);
    const email = 'two.procs@club.test';
    const m = await addMember(a, admin, { email });
    const l = await login(a, email, m.password);
    const { secret, auth } = await enrolTotp(a, l.auth);
    user = { email, password: m.password, secret, auth };
  });
  afterAll(async () => {
    await b.close({ keepData: true });
    await a.close();
  });
  beforeEach(() => nextStepStart(a, 60));

  const verify = (t: TestApp, code: string) => t.http.post('/auth/mfa/totp/verify').set(user.auth).send({ code });
  /** Both processes, alternating, at once. */
  const both = <R>(n: number, send: (t: TestApp) => Promise<R>) => Promise.all(Array.from({ length: n }, (_, i) => send(i % 2 ? b : a)));

  it('evaluates exactly one of 20 parallel wrong TOTP codes sent to two processes; the rest are refused unevaluated', async () => {
    const wrong = codeAt(a, user.secret, 5);
    const results = await both(20, (t) => verify(t, wrong));
    const codes = results.map((r) => r.body.error_code as string);
    expect(codes.filter((c) => c === 'invalid_code')).toHaveLength(1);
    expect(codes.filter((c) => c === 'too_many_attempts')).toHaveLength(19);
  });

  it('accepts one TOTP code once when it is sent 10 times in parallel to two processes (a replay is refused, never a second 200)', async () => {
    const code = codeAt(a, user.secret);
    const results = await both(10, (t) => verify(t, code));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200))
      expect(['code_already_used', 'too_many_attempts']).toContain(r.body.error_code);
    const ok = results.find((r) => r.status === 200)!;
    user.auth = bearer(ok.body.access_token);
    // the winner's session is MFA-satisfied and its code stays spent in either process
    a.clock.advance(2000);
    await a.settle();
    expectProblem(await verify(b, code), 400, 'code_already_used');
  });

  it('a wrong password sent to both processes at once is evaluated once', async () => {
    const results = await both(10, (t) => t.http.post('/auth/login').send({ email: user.email, password: 'definitely wrong' }));
    const codes = results.map((r) => r.body.error_code as string);
    expect(codes.filter((c) => c === 'invalid_credentials')).toHaveLength(1);
    expect(codes.filter((c) => c === 'too_many_attempts')).toHaveLength(9);
  });

  it('commits: a login 2 (claim; success + SessionStarted), a TOTP verify 3 (claim; code spent; success + SessionMfaSatisfied), a wrong code 2', async () => {
    await a.settle();
    const counted = async (send: () => Promise<request.Response>, status: number) => {
      await Promise.all([a.settle(), b.settle()]);
      commits.reset();
      const res = await send();
      expect(res.status).toBe(status);
      return { res, commits: commits.count() };
    };
    const l = await counted(() => a.http.post('/auth/login').send(ADMIN), 200);
    expect(l.commits).toBe(2);
    const auth = bearer(
      (await counted(() => a.http.post('/auth/login').send({ email: user.email, password: user.password }), 200)).res.body.access_token,
    );
    const v = await counted(
      () =>
        a.http
          .post('/auth/mfa/totp/verify')
          .set(auth)
          .send({ code: codeAt(a, user.secret) }),
      200,
    );
    expect(v.commits).toBe(3);
    a.clock.advance(30_000);
    const w = await counted(
      () =>
        a.http
          .post('/auth/mfa/totp/verify')
          .set(auth)
          .send({ code: codeAt(a, user.secret, 5) }),
      400,
    );
    expect(w.commits).toBe(2);
  });
});
