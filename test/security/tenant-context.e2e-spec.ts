import { expectProblem, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, ADMIN, login } from '../support/identity.js';
import { setPolicy } from '../policy/helpers.js';
import { createTenant, enrolTotp, passwordOnly, registerPasskey, startSecurityApp, verifyTotp, type Auth } from './support.js';

/**
 * The tenant acted on is the tenant whose policy applies (issue 10, item 3). T1 requires MFA of
 * its admins; T2 has no policy; the same person administers both. Logging in to T2 must give no
 * power over T1, whatever id is put in a path, a body or a query.
 */
describe('a session of one tenant has no power over another (tenant_context_mismatch)', () => {
  let t: TestApp;
  let t1: string;
  let t2: { tenant_id: string };
  let t3: { tenant_id: string };
  let secret: string;
  let memberId: string;
  const OTHER = { email: 'only-t3@club.test', password: 'admin of the third tenant 12' };

  beforeAll(async () => {
    t = await startSecurityApp();
    const a = await adminLogin(t);
    t1 = a.tenant_id;
    const e = await enrolTotp(t, a.auth);
    secret = e.secret;
    t2 = await createTenant(t, e.auth, 'Tenant Two (no policy)', ADMIN); // the same person administers T2
    t3 = await createTenant(t, e.auth, 'Tenant Three', OTHER);
    memberId = (await addMember(t, { auth: e.auth, tenant_id: t1 }, { email: 'player@t1.test' })).user_id;
    await setPolicy(t, e.auth, { required_roles: ['tenant_admin'], allowed_methods: ['totp'], grace_period_days: 0 }).expect(200);
  });
  afterAll(() => t.close());

  /** Every tenant-scoped operation on `tenant`, each of which must answer 403 tenant_context_mismatch. */
  const attacks = (tenant: string) => [
    (auth: Auth) => t.http.get(`/tenants/${tenant}/members`).set(auth),
    (auth: Auth) =>
      t.http
        .post(`/tenants/${tenant}/members`)
        .set(auth)
        .send({ email: 'intruder@evil.test', display_name: 'Intruder', roles: ['tenant_admin'], password: 'an intruder password 4242' }),
    (auth: Auth) =>
      t.http
        .patch(`/tenants/${tenant}/members/${memberId}`)
        .set(auth)
        .send({ roles: ['tenant_admin'] }),
    (auth: Auth) => t.http.delete(`/tenants/${tenant}/members/${memberId}`).set(auth),
    (auth: Auth) => t.http.get(`/tenants/${tenant}/export`).set(auth),
    (auth: Auth) => t.http.get(`/tenants/${tenant}/security-events`).set(auth),
    // a body or a query naming the tenant
    (auth: Auth) =>
      t.http
        .put('/auth/mfa/policy')
        .set(auth)
        .send({ tenant_id: tenant, required_roles: [], allowed_methods: ['totp'], grace_period_days: 0, fresh_window_seconds: 300 }),
    (auth: Auth) => t.http.get('/auth/mfa/policy').query({ tenant_id: tenant }).set(auth),
  ];
  async function allRefused(auth: Auth, tenant: string) {
    for (const attack of attacks(tenant)) expectProblem(await attack(auth), 403, 'tenant_context_mismatch');
  }

  it('an admin of T1 and T2 logged in to T2 cannot manage T1 — not even with a fresh second factor in T2', async () => {
    const inT2 = await passwordOnly(t, ADMIN, t2.tenant_id);
    await t.http.get(`/tenants/${t2.tenant_id}/members`).set(inT2.auth).expect(200); // T2 itself: no policy, allowed
    await allRefused(inT2.auth, t1);
    const freshInT2 = await verifyTotp(t, inT2.auth, secret);
    await allRefused(freshInT2, t1);

    // setting "the policy" from T2 sets T2's; T1's is untouched
    await setPolicy(t, freshInT2, { required_roles: [], allowed_methods: ['totp', 'email'], grace_period_days: 0 }).expect(200);
    const inT1 = await verifyTotp(t, (await passwordOnly(t, ADMIN, t1)).auth, secret);
    const p = await t.http.get('/auth/mfa/policy').set(inT1).expect(200);
    expect(p.body).toMatchObject({ tenant_id: t1, required_roles: ['tenant_admin'], allowed_methods: ['totp'] });
    // no intruder was added, no role changed
    const members = await t.http.get(`/tenants/${t1}/members`).set(inT1).expect(200);
    expect(members.body.items.filter((x: { email_masked: string }) => x.email_masked.endsWith('@evil.test'))).toEqual([]);
    expect(members.body.items.find((x: { user_id: string }) => x.user_id === memberId).roles).toEqual(['member']);
  });

  it('switching tenants is a new login, under the target tenant policy: a password-only login to T1 is not MFA-satisfied there', async () => {
    const inT1 = await passwordOnly(t, ADMIN, t1);
    expectProblem(await t.http.get(`/tenants/${t1}/members`).set(inT1.auth), 401, 'mfa_required');
    expectProblem(await t.http.get(`/tenants/${t1}/export`).set(inT1.auth), 401, 'mfa_required');
    const fresh = await verifyTotp(t, inT1.auth, secret);
    await t.http.get(`/tenants/${t1}/members`).set(fresh).expect(200);
    await t.http.get(`/tenants/${t1}/export`).set(fresh).expect(200);
    // and T1's session cannot reach into T2 either
    await allRefused(fresh, t2.tenant_id);
  });

  it('the admin of another tenant only (T3) is refused on T1 with tenant_context_mismatch, whatever the route', async () => {
    const other = await login(t, OTHER.email, OTHER.password, { tenantId: t3.tenant_id });
    await allRefused(other.auth, t1);
  });

  it('from a T2 session the factors of the person stay out of reach too (binding needs a fresh second factor)', async () => {
    const inT2 = await passwordOnly(t, ADMIN, t2.tenant_id);
    // T2 has no policy, yet a password-only session of a person with TOTP is no admin there either
    expectProblem(await t.http.get(`/tenants/${t2.tenant_id}/export`).set(inT2.auth), 403, 'mfa_step_up_required');
    expectProblem(
      await t.http
        .patch(`/tenants/${t2.tenant_id}/members/${memberId}`)
        .set(inT2.auth)
        .send({ roles: ['tenant_admin'] }),
      403,
      'mfa_step_up_required',
    );
    expectProblem(await setPolicy(t, inT2.auth, { required_roles: [], allowed_methods: ['sms'] }), 403, 'mfa_step_up_required');
    expectProblem(await t.http.delete('/auth/mfa/totp').set(inT2.auth), 403, 'mfa_step_up_required');
    expectProblem(await t.http.post('/auth/mfa/sms/enroll').set(inT2.auth).send({ phone: '+46701112233' }), 403, 'mfa_step_up_required');
    expectProblem(await t.http.post('/auth/mfa/trusted-devices').set(inT2.auth).send({}), 403, 'mfa_step_up_required');
    expectProblem(await t.http.post('/auth/mfa/recovery-codes/generate').set(inT2.auth).send({}), 403, 'mfa_step_up_required');
    expectProblem(
      await t.http.post('/auth/password').set(inT2.auth).send({ current_password: ADMIN.password, new_password: 'taken over from t2 55' }),
      403,
      'mfa_step_up_required',
    );
  });

  it('operator routes act on any tenant for their sys roles; a person without the role is refused first', async () => {
    const inT2 = await verifyTotp(t, (await passwordOnly(t, ADMIN, t2.tenant_id)).auth, secret);
    const tier = await t.http.get(`/sys/tenants/${t1}/tier`).set(inT2).expect(200);
    expect(tier.body.name).toBe('Svenska Boulefederationen');
    const other = await login(t, OTHER.email, OTHER.password, { tenantId: t3.tenant_id });
    expectProblem(await t.http.get(`/sys/tenants/${t1}/tier`).set(other.auth), 403, 'sys_role_required');
  });

  it('a trusted device is a second factor only in a tenant whose policy allows the factor it was trusted with', async () => {
    const inT1 = await verifyTotp(t, (await passwordOnly(t, ADMIN, t1)).auth, secret);
    await registerPasskey(t, inT1);
    const device = (await t.http.post('/auth/mfa/trusted-devices').set(inT1).send({ name: 'Laptop' }).expect(201)).body.device_token;
    // T2 now demands a passkey of its admins: a device trusted with TOTP does not stand in for one there
    const inT2 = await verifyTotp(t, (await passwordOnly(t, ADMIN, t2.tenant_id)).auth, secret);
    await setPolicy(t, inT2, { required_roles: ['tenant_admin'], allowed_methods: ['webauthn'], grace_period_days: 0 }).expect(200);
    const viaDeviceT2 = await login(t, ADMIN.email, ADMIN.password, { tenantId: t2.tenant_id, deviceToken: device });
    expectProblem(await t.http.get(`/tenants/${t2.tenant_id}/members`).set(viaDeviceT2.auth), 401, 'mfa_required');
    const viaDeviceT1 = await login(t, ADMIN.email, ADMIN.password, { tenantId: t1, deviceToken: device });
    await t.http.get(`/tenants/${t1}/members`).set(viaDeviceT1.auth).expect(200);
    // and the device never steps up
    expectProblem(await t.http.get(`/tenants/${t1}/export`).set(viaDeviceT1.auth), 403, 'mfa_step_up_required');
  });
});
