import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, ADMIN, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { DAY, enforcement, enrolTotp, setPolicy, verifyTotp } from './helpers.js';

describe('MFA policy: validation, admins only, audit, grace periods', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  let adminSecret = '';
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    admin = await adminLogin(t);
  });
  afterAll(() => t.close());

  it('rejects an invalid policy with a 400 that names the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ grace_period_days: 366 }, 'grace_period_days'],
      [{ grace_period_days: -1 }, 'grace_period_days'],
      [{ fresh_window_seconds: 59 }, 'fresh_window_seconds'],
      [{ fresh_window_seconds: 86401 }, 'fresh_window_seconds'],
      [{ allowed_methods: [] }, 'allowed_methods'],
      [{ allowed_methods: ['password'] }, 'allowed_methods'],
      [{ required_roles: 'treasurer' }, 'required_roles'],
      [{ surprise: true }, 'surprise'],
    ];
    for (const [patch, field] of cases) {
      const res = await setPolicy(t, admin.auth, patch);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.detail).toContain(field);
    }
    expect((await t.http.get('/auth/mfa/policy').set(admin.auth).expect(200)).body.configured).toBe(false);
  });

  it('lets only tenant admins read or set the policy', async () => {
    const m = await addMember(t, admin, { email: 'player@club.test', roles: ['member'] });
    const l = await login(t, 'player@club.test', m.password);
    expectProblem(await t.http.get('/auth/mfa/policy').set(l.auth), 403, 'tenant_admin_required');
    expectProblem(await setPolicy(t, l.auth, {}), 403, 'tenant_admin_required');
    expectProblem(await t.http.get(`/tenants/${admin.tenant_id}/security-events`).set(l.auth), 403, 'tenant_admin_required');
    expect(await enforcement(t, l.auth)).toEqual({
      status: 'not_required',
      required_by_roles: [],
      allowed_methods: ['totp', 'sms', 'email', 'webauthn'],
      enrolled_methods: [], // e-mail OTP never makes a user enrolled (it used to list 'email')
      grace_period_ends_at: null,
      days_remaining: null,
      fresh_window_seconds: 300,
      mfa_satisfied: false,
      mfa_fresh: false,
    });
  });

  it('upserts the policy and shows mfa_policy_changed to the tenant admins (once per real change)', async () => {
    const res = await setPolicy(t, admin.auth, { required_roles: ['treasurer'], allowed_methods: ['webauthn', 'totp'] }).expect(200);
    expect(res.body).toMatchObject({
      tenant_id: admin.tenant_id,
      configured: true,
      required_roles: ['treasurer'],
      allowed_methods: ['totp', 'webauthn'],
      grace_period_days: 14,
      fresh_window_seconds: 300,
    });
    expect((await t.http.get('/auth/mfa/policy').set(admin.auth).expect(200)).body).toEqual(res.body);
    await setPolicy(t, admin.auth, { required_roles: ['treasurer'], allowed_methods: ['totp', 'webauthn'] }).expect(200); // same policy
    const ev = await t.http.get(`/tenants/${admin.tenant_id}/security-events?type=mfa_policy_changed`).set(admin.auth).expect(200);
    expect(ev.body.items).toHaveLength(1);
    expect(ev.body.items[0]).toMatchObject({
      type: 'mfa_policy_changed',
      actor_id: admin.user_id,
      details: { policy: { required_roles: ['treasurer'] }, previous: null },
    });
    const own = await t.http.get('/auth/security-events?type=mfa_policy_changed').set(admin.auth).expect(200);
    expect(own.body.items).toHaveLength(1);
  });

  it('gives a new treasurer a grace period that later edits do not reset, then enrol_now when it ends', async () => {
    await setPolicy(t, admin.auth, { allowed_methods: ['totp'] }).expect(200);
    const k = await addMember(t, admin, { email: 'kassor@club.test', roles: ['treasurer'] }); // steps up: the clock moves
    const joined = t.clock.now().getTime();
    let l = await login(t, 'kassor@club.test', k.password);
    const ends = new Date(joined + 14 * DAY).toISOString();
    expect(await enforcement(t, l.auth)).toMatchObject({
      status: 'grace_period',
      required_by_roles: ['treasurer'],
      allowed_methods: ['totp'],
      grace_period_ends_at: ends,
      days_remaining: 14,
    });

    t.clock.advance(DAY);
    l = await login(t, 'kassor@club.test', k.password);
    expect(await enforcement(t, l.auth)).toMatchObject({ status: 'grace_period', days_remaining: 13, grace_period_ends_at: ends });

    admin = await adminLogin(t);
    await setPolicy(t, admin.auth, { allowed_methods: ['totp'], fresh_window_seconds: 600 }).expect(200);
    expect(await enforcement(t, l.auth)).toMatchObject({ status: 'grace_period', grace_period_ends_at: ends, fresh_window_seconds: 600 });

    t.clock.set(new Date(Date.parse(ends) - 1));
    l = await login(t, 'kassor@club.test', k.password);
    expect(await enforcement(t, l.auth)).toMatchObject({ status: 'grace_period', days_remaining: 1 });
    t.clock.advance(1);
    expect(await enforcement(t, l.auth)).toMatchObject({ status: 'enrol_now', days_remaining: 0, grace_period_ends_at: ends });
    expectProblem(await t.http.get('/auth/mfa/policy').set(l.auth), 403, 'mfa_enrolment_required');

    // enrolling an allowed factor makes the treasurer compliant
    const { auth } = await enrolTotp(t, l.auth);
    expect(await enforcement(t, auth)).toMatchObject({
      status: 'compliant',
      enrolled_methods: expect.arrayContaining(['totp']),
      mfa_fresh: true,
    });
  });

  it('starts the grace period of a member when a required role is added later; role changes need step-up', async () => {
    admin = await adminLogin(t);
    const p = await addMember(t, admin, { email: 'later@club.test', roles: ['member'] });
    let l = await login(t, 'later@club.test', p.password);
    expect((await enforcement(t, l.auth)).status).toBe('not_required');

    t.clock.advance(3 * DAY);
    admin = await adminLogin(t);
    const patch = () => t.http.patch(`/tenants/${admin.tenant_id}/members/${p.user_id}`).send({ roles: ['member', 'treasurer'] });
    expectProblem(await patch().set(admin.auth), 403, 'mfa_step_up_required');
    const { auth: adminMfa, secret } = await enrolTotp(t, admin.auth);
    adminSecret = secret;
    await patch().set(adminMfa).expect(200);

    l = await login(t, 'later@club.test', p.password);
    expect(await enforcement(t, l.auth)).toMatchObject({
      status: 'grace_period',
      required_by_roles: ['treasurer'],
      grace_period_ends_at: new Date(t.clock.now().getTime() + 14 * DAY).toISOString(),
      days_remaining: 14,
    });
  });

  it('needs a fresh second factor to change the policy once the admin has one', async () => {
    const l = await login(t, ADMIN.email, ADMIN.password);
    const res = await setPolicy(t, l.auth, { grace_period_days: 7 });
    expectProblem(res, 403, 'mfa_step_up_required');
    expect(res.body).toMatchObject({ allowed_methods: ['totp'], fresh_window_seconds: 600 });
    const fresh = await verifyTotp(t, l.auth, adminSecret);
    expect((await setPolicy(t, fresh, { grace_period_days: 7 }).expect(200)).body.grace_period_days).toBe(7);
    const ev = await t.http.get(`/tenants/${admin.tenant_id}/security-events`).set(fresh).expect(200);
    expect(ev.body.items[0].details.previous).toMatchObject({ grace_period_days: 14 });
  });
});
