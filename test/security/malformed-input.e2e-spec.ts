/**
 * No string can cause a 5xx: lone UTF-16 surrogates (validator.js throws URIError on them) and
 * hostile nesting (class-transformer recurses) are refused with 400 validation_failed naming the
 * field, before any guard, validator or decider sees them. Found by the OpenAPI fuzz suite.
 */
import { BOOTSTRAP_ENV, adminLogin } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: BOOTSTRAP_ENV });
});
afterAll(() => t.close());

// the bodies are sent as raw JSON text with the `\\ud800` escape: a JS string holding a lone
// surrogate would be re-encoded as U+FFFD on the way out and never reach the server as one

it('answers 400 validation_failed naming the field for a lone surrogate in the e-mail of the public login', async () => {
  for (const email of ['\\ud800', 'fuzz\\udfff@example.test', '\\udc00\\ud800']) {
    const res = await t.http.post('/auth/login').set('Content-Type', 'application/json').send(`{"email":"${email}","password":"x"}`);
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors).toEqual(['email must be well-formed Unicode text (it holds a lone UTF-16 surrogate)']);
  }
});

it('still judges a well-formed astral address by the e-mail rules (a surrogate pair is not refused as malformed)', async () => {
  const res = await t.http.post('/auth/login').send({ email: '🎱@', password: 'x' });
  expectProblem(res, 400, 'validation_failed');
  expect(res.body.detail).toMatch(/email must be an email/);
  expect(res.body.detail).not.toMatch(/surrogate/);
});

it('answers 400 for a lone surrogate in the members API, in a nested array and in a key', async () => {
  const admin = await adminLogin(t);
  const path = `/tenants/${admin.tenant_id}/members`;
  const add = await t.http
    .post(path)
    .set(admin.auth)
    .set('Content-Type', 'application/json')
    .send('{"email":"\\ud800","display_name":"x","roles":["member"],"password":"a long enough password 123"}');
  expectProblem(add, 400, 'validation_failed');
  expect(add.body.errors[0]).toMatch(/^email must be well-formed/);

  const roles = await t.http.post(path).set(admin.auth).set('Content-Type', 'application/json').send('{"roles":["member","\\udfff"]}');
  expectProblem(roles, 400, 'validation_failed');
  expect(roles.body.errors[0]).toMatch(/^roles\[1\] must be well-formed/);

  const key = await t.http.post(path).set(admin.auth).set('Content-Type', 'application/json').send('{"\\ud800":1}');
  expectProblem(key, 400, 'validation_failed');
  expect(key.body.errors[0]).toMatch(/^a key in body/);
  // nothing was added
  const list = await t.http.get(path).set(admin.auth).expect(200);
  expect(list.body.items).toHaveLength(1);
});

it('answers 400 for bodies nested deeper than 32 levels instead of overflowing a validator', async () => {
  for (const body of ['['.repeat(5000) + ']'.repeat(5000), '{"email":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3001)]) {
    const res = await t.http.post('/auth/login').set('Content-Type', 'application/json').send(body);
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.detail).toMatch(/nests deeper than 32 levels/);
  }
});

it('answers 400 naming the field when a required nested object is missing or not an object (POST /sys/tenants admin)', async () => {
  const operator = await adminLogin(t);
  for (const admin of [undefined, null, [], 'x', 1]) {
    const res = await t.http
      .post('/sys/tenants')
      .set(operator.auth)
      .send({ name: 'Fuzzed Federation', tenant_type: 'FEDERATION', country: 'SE', ...(admin === undefined ? {} : { admin }) });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.detail).toMatch(/admin/);
  }
});
