import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, BOOTSTRAP_ENV } from '../support/identity.js';
import { enrolTotp, verifyTotp } from '../policy/helpers.js';

/** Path ids are checked by format (the shared id pipe) before any lookup, on every route that takes one. */
describe('path ids: prototype keys and malformed ids never reach a lookup', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    admin = await adminLogin(t);
    // step-up routes check the id after the guard: a fresh second factor lets the request reach the pipe
    const { secret } = await enrolTotp(t, admin.auth);
    admin = { ...admin, auth: await verifyTotp(t, admin.auth, secret) };
  });
  afterAll(() => t.close());

  it.each(['__proto__', 'constructor', 'toString', 'not-a-uuid', '%00'])('answers %s with the route’s own 4xx error_code', async (id) => {
    expectProblem(await t.http.delete(`/auth/sessions/${id}`).set(admin.auth), 404, 'session_not_found');
    expectProblem(await t.http.delete(`/auth/mfa/trusted-devices/${id}`).set(admin.auth), 404, 'trusted_device_not_found');
    expectProblem(await t.http.post(`/sys/users/${id}/unlock`).set(admin.auth), 404, 'user_not_found');
    expectProblem(
      await t.http
        .patch(`/tenants/${admin.tenant_id}/members/${id}`)
        .set(admin.auth)
        .send({ roles: ['member'] }),
      404,
      'member_not_found',
    );
    // a tenant id that is not the session's is refused by the guard before anything is looked up (issue 10, item 3)
    expectProblem(await t.http.get(`/tenants/${id}/members`).set(admin.auth), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.delete(`/auth/mfa/webauthn/credentials/${id}`).set(admin.auth), 400, 'validation_failed');
  });
});
