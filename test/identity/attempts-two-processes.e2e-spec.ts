import Database from 'better-sqlite3';
import { join } from 'node:path';
import request from 'supertest';
import { AggregateRepository } from '../../src/eventstore/aggregate-repository.js';
import { BruteForceService } from '../../src/identity/brute-force/brute-force.service.js';
import { ADMIN, addMember, adminLogin, bearer, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { EventStoreCommits } from '../support/wal-commits.js';
import { enrolTotp } from '../policy/helpers.js';
import { codeAt, nextStepStart } from '../totp/support.js';

/**
 * Two app processes on one set of stores (the embedded SQLite files): each has its own in-process
 * queue per counter, so only the expected-version appends keep them honest. A password is tried
 * under the brute-force claim, committed before it is evaluated; a TOTP code has no claim: the
 * counter's outcome, the spent step and the session event are one atomic commit, and the loser of
 * a race on the counter re-decides on the winner's outcome (its backoff, the spent step). These
 * tests pin that neither lets a second guess count nor a code be used twice, and count the
 * commits and events.
 */
describe('attempts across two processes, and commits per attempt', () => {
  let a: TestApp;
  let b: TestApp;
  let commits: EventStoreCommits;
  let user: { id: string; email: string; password: string; secret: string; auth: { Authorization: string } };
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
    user = { id: m.user_id, email, password: m.password, secret, auth };
  });
  afterAll(async () => {
    await b.close({ keepData: true });
    await a.close();
  });
  beforeEach(() => nextStepStart(a, 60));

  const verify = (t: TestApp, code: string) => t.http.post('/auth/mfa/totp/verify').set(user.auth).send({ code });
  /** Both processes, alternating, at once. */
  const both = <R>(n: number, send: (t: TestApp) => Promise<R>) => Promise.all(Array.from({ length: n }, (_, i) => send(i % 2 ? b : a)));

  it('counts exactly one of 20 parallel wrong TOTP codes sent to two processes; the rest are refused by its backoff', async () => {
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

  it('a TOTP attempt that lost the counter race to a wrong code of the other process is refused by its backoff, and writes nothing', async () => {
    // In one test process the two apps' requests rarely interleave between load and commit, so the
    // race is forced: process A's attempt is decided, then B answers a wrong code (its failure and
    // backoff committed on the shared counter), then A's atomic append finds the counter moved.
    const uid = user.id;
    const scratch = `scratch-${crypto.randomUUID()}`;
    let checked = 0;
    const check = {
      commands: [
        {
          stream: scratch,
          evolver: { initialState: () => ({}), evolve: (st: object) => st },
          decide: async () => {
            checked++;
            if (checked === 1) expectProblem(await verify(b, codeAt(a, user.secret, 5)), 400, 'invalid_code');
            return [{ type: 'ScratchChecked', data: {} }];
          },
        },
      ],
      outcome: () => ({ ok: true }),
    };
    const lost = await a.app
      .get(BruteForceService)
      .attemptInstant({ scope: 'mfa', subject: uid, user_id: uid, factor: 'totp' }, check)
      .catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'too_many_attempts', status: 429 });
    expect(checked).toBe(1);
    expect(await a.app.get(AggregateRepository).load(scratch, check.commands[0]!.evolver)).toMatchObject({ version: -1 });
  });

  it('a wrong password sent to both processes at once is evaluated once', async () => {
    const results = await both(10, (t) => t.http.post('/auth/login').send({ email: user.email, password: 'definitely wrong' }));
    const codes = results.map((r) => r.body.error_code as string);
    expect(codes.filter((c) => c === 'invalid_credentials')).toHaveLength(1);
    expect(codes.filter((c) => c === 'too_many_attempts')).toHaveLength(9);
  });

  it('commits: a login 2 (claim; success + SessionStarted), a TOTP verify 1 (success + code spent + SessionMfaSatisfied), a wrong code 1, a recovery code 1', async () => {
    await a.settle();
    const events = () => {
      const db = new Database(join(a.dataDir, 'events.sqlite'), { readonly: true });
      try {
        return db.prepare<[], { type: string }>('SELECT type FROM events ORDER BY position').all().map((r) => r.type);
      } finally {
        db.close();
      }
    };
    const counted = async (send: () => Promise<request.Response>, status: number) => {
      await Promise.all([a.settle(), b.settle()]);
      commits.reset();
      const before = events().length;
      const res = await send();
      expect(res.status).toBe(status);
      return { res, commits: commits.count(), events: events().slice(before) };
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
    expect(v.commits).toBe(1);
    expect(v.events).toEqual(['AttemptSucceeded', 'TotpCodeAccepted', 'SessionMfaSatisfied']);
    a.clock.advance(30_000);
    const w = await counted(
      () =>
        a.http
          .post('/auth/mfa/totp/verify')
          .set(auth)
          .send({ code: codeAt(a, user.secret, 5) }),
      400,
    );
    expect(w.commits).toBe(1);
    expect(w.events).toEqual(['AttemptFailed']);
    // a recovery code: the same single commit (code burnt with the counter's outcome and the session's)
    a.clock.advance(60_000);
    const fresh = bearer(v.res.body.access_token);
    const { codes } = (await a.http.post('/auth/mfa/recovery-codes/generate').set(fresh).expect(200)).body as { codes: string[] };
    const r = await counted(() => a.http.post('/auth/mfa/recovery-codes/verify').set(fresh).send({ code: codes[0] }), 200);
    expect(r.commits).toBe(1);
    expect(r.events).toEqual(['AttemptSucceeded', 'RecoveryCodeUsed', 'SessionMfaSatisfied']);
  });
});
