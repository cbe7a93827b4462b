/**
 * An unknown e-mail costs a login what a wrong password costs: one argon2id verify (against a
 * dummy hash), so neither the answer nor its timing is an account-existence oracle. The cost is
 * proven by counting the verifications the real login path runs (no stopwatch: timed assertions
 * do not belong in the suite); the timing itself is section (c) of `npm run bench`.
 */
import { passwordVerifications } from '../../src/identity/users/password.js';
import { addMember, adminLogin, BOOTSTRAP_ENV } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  // the per-address throttle across accounts would answer 429 before any hash is checked
  t = await startTestApp({ env: { ...BOOTSTRAP_ENV, LOGIN_ADDRESS_MAX_FAILURES: '10000' } });
});
afterAll(() => t.close());

it('answers an unknown e-mail and a wrong password alike, each after exactly one argon2id verify', async () => {
  const admin = await adminLogin(t);
  await addMember(t, admin, { email: 'timing@club.test' });
  const login = async (email: string) => {
    t.clock.advance(31_000); // past the per-account backoff of the previous failure
    const before = passwordVerifications.count;
    const res = await t.http.post('/auth/login').send({ email, password: 'certainly not the password' });
    expectProblem(res, 401, 'invalid_credentials');
    return { verifies: passwordVerifications.count - before, body: res.body, headers: res.headers };
  };
  for (let i = 0; i < 3; i++) {
    const wrong = await login('timing@club.test');
    const unknown = await login(`nobody-${i}@club.test`);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.headers['retry-after']).toEqual(wrong.headers['retry-after']);
    expect(wrong.verifies).toBe(1);
    expect(unknown.verifies).toBe(1);
  }
});
