import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { DAY, enforcement, enrolTotp, setPolicy, verifyTotp } from './helpers.js';

type Auth = { Authorization: string };
type Outcome = number | [number, string];

/**
 * Each endpoint class under each enforcement status: ordinary (members list), step-up
 * (tenant export, @RequiresFreshMfa) and exempt (/me, sessions, enforcement: @AllowWithoutMfa).
 */
describe('MFA enforcement gates by endpoint class', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  let sam: { user_id: string; password: string };
  let secret = '';
  const samLogin = () => login(t, 'sam@club.test', sam.password);

  async function expectGates(auth: Auth, want: { ordinary: Outcome; stepUp: Outcome }) {
    const check = async (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, o: Outcome) => {
      if (typeof o === 'number') expect(res.status).toBe(o);
      else expectProblem(res, o[0], o[1]);
    };
    await check(await t.http.get(`/tenants/${admin.tenant_id}/members`).set(auth), want.ordinary);
    await check(await t.http.get(`/tenants/${admin.tenant_id}/export`).set(auth), want.stepUp);
    for (const path of ['/me', '/auth/sessions', '/auth/mfa/enforcement']) expect((await t.http.get(path).set(auth)).status).toBe(200);
  }

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    admin = await adminLogin(t);
    sam = await addMember(t, admin, { email: 'sam@club.test', roles: ['tenant_admin', 'treasurer'] });
  });
  afterAll(() => t.close());

  it('not_required: ordinary and exempt pass; step-up wants a recent second factor', async () => {
    const l = await samLogin();
    expect((await enforcement(t, l.auth)).status).toBe('not_required');
    await expectGates(l.auth, { ordinary: 200, stepUp: [403, 'mfa_step_up_required'] });
  });

  it('grace_period: the same as not_required', async () => {
    await setPolicy(t, admin.auth, {
      required_roles: ['treasurer'],
      allowed_methods: ['totp'],
      grace_period_days: 3,
      fresh_window_seconds: 120,
    }).expect(200);
    const l = await samLogin();
    expect((await enforcement(t, l.auth)).status).toBe('grace_period');
    await expectGates(l.auth, { ordinary: 200, stepUp: [403, 'mfa_step_up_required'] });
  });

  it('enrol_now: everything but the exempt endpoints answers 403 mfa_enrolment_required', async () => {
    t.clock.advance(3 * DAY);
    const l = await samLogin();
    expect((await enforcement(t, l.auth)).status).toBe('enrol_now');
    await expectGates(l.auth, { ordinary: [403, 'mfa_enrolment_required'], stepUp: [403, 'mfa_enrolment_required'] });
    const res = await t.http.get(`/tenants/${admin.tenant_id}/members`).set(l.auth);
    expect(res.body.allowed_methods).toEqual(['totp']);
  });

  it('compliant with a fresh second factor: everything passes, and the export is CSV with masked e-mails', async () => {
    const l = await samLogin();
    const e = await enrolTotp(t, l.auth);
    secret = e.secret;
    expect((await enforcement(t, e.auth)).status).toBe('compliant');
    await expectGates(e.auth, { ordinary: 200, stepUp: 200 });
    const csv = await t.http.get(`/tenants/${admin.tenant_id}/export`).set(e.auth).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('user_id,display_name,email_masked,roles,joined_at');
    expect(csv.text).toContain(`"${sam.user_id}","sam","sa***@club.test","tenant_admin treasurer"`);
    expect(csv.text).not.toContain('sam@club.test');
  });

  it('compliant, session without MFA: 401 mfa_required with allowed_methods on ordinary and step-up endpoints', async () => {
    const l = await samLogin();
    await expectGates(l.auth, { ordinary: [401, 'mfa_required'], stepUp: [401, 'mfa_required'] });
    expect((await t.http.get(`/tenants/${admin.tenant_id}/members`).set(l.auth)).body.allowed_methods).toEqual(['totp']);
  });

  it('step-up holds for exactly fresh_window_seconds after the second factor', async () => {
    const fresh = await verifyTotp(t, (await samLogin()).auth, secret);
    expect((await enforcement(t, fresh)).mfa_fresh).toBe(true);
    t.clock.advance(120_000);
    await expectGates(fresh, { ordinary: 200, stepUp: 200 });
    expect((await enforcement(t, fresh)).mfa_fresh).toBe(true);
    t.clock.advance(1);
    await expectGates(fresh, { ordinary: 200, stepUp: [403, 'mfa_step_up_required'] });
    const res = await t.http.get(`/tenants/${admin.tenant_id}/export`).set(fresh);
    expect(res.body).toMatchObject({ allowed_methods: ['totp'], fresh_window_seconds: 120 });
    expect((await enforcement(t, fresh)).mfa_fresh).toBe(false);
  });

  it('only allowed methods satisfy: with webauthn only, an enrolled TOTP leaves the member at enrol_now', async () => {
    admin = await adminLogin(t);
    await setPolicy(t, admin.auth, {
      required_roles: ['treasurer'],
      allowed_methods: ['webauthn'],
      grace_period_days: 3,
      fresh_window_seconds: 120,
    }).expect(200);
    const fresh = await verifyTotp(t, (await samLogin()).auth, secret);
    expect(await enforcement(t, fresh)).toMatchObject({
      status: 'enrol_now',
      enrolled_methods: expect.arrayContaining(['totp']),
      allowed_methods: ['webauthn'],
    });
    await expectGates(fresh, { ordinary: [403, 'mfa_enrolment_required'], stepUp: [403, 'mfa_enrolment_required'] });
  });
});
