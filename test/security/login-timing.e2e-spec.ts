/**
 * An unknown e-mail costs a login what a wrong password costs (a dummy argon2id verify), so the
 * answer's timing is no account-existence oracle. Interleaved medians with a wide bound: the
 * dummy verify missing makes the unknown path ~20x cheaper, far outside it even on a busy machine.
 * The same figure, measured precisely, is section (c) of `npm run bench`.
 */
import { addMember, adminLogin, BOOTSTRAP_ENV } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  // the per-address throttle across accounts would answer 429 before any hash is checked
  t = await startTestApp({ env: { ...BOOTSTRAP_ENV, LOGIN_ADDRESS_MAX_FAILURES: '10000' } });
});
afterAll(() => t.close());

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('answers an unknown e-mail and a wrong password alike, at the same cost', async () => {
  const admin = await adminLogin(t);
  await addMember(t, admin, { email: 'timing@club.test' });
  const timed = async (email: string) => {
    t.clock.advance(31_000); // past the per-account backoff of the previous failure
    const t0 = process.hrtime.bigint();
    const res = await t.http.post('/auth/login').send({ email, password: 'certainly not the password' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expectProblem(res, 401, 'invalid_credentials');
    return { ms, body: res.body };
  };
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 9; i++) {
    const w = await timed('timing@club.test');
    const u = await timed(`nobody-${i}@club.test`);
    expect(u.body).toEqual(w.body);
    wrong.push(w.ms);
    unknown.push(u.ms);
  }
  const ratio = median(unknown) / median(wrong);
  console.log(
    `login: wrong password ${median(wrong).toFixed(1)} ms, unknown e-mail ${median(unknown).toFixed(1)} ms (${ratio.toFixed(2)}x)`,
  );
  expect(ratio).toBeGreaterThan(0.6);
  expect(ratio).toBeLessThan(2.5); // wide: a busy machine makes single requests noisy
});
