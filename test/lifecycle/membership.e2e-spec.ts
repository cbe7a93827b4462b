import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, bearer, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { eventually } from '../sms-email/support.js';
import { secondTenant, stepUp, withTotp } from './support.js';

const DUAL = { email: 'dual@both.test', password: 'dual member password 1' };

describe('members leave, people are deactivated (issue 16 item 2)', () => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let totp: string;
  let opAuth: { Authorization: string };
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    const admin = await adminLogin(t);
    tenantA = admin.tenant_id;
    const m = await withTotp(t, admin);
    totp = m.secret;
    opAuth = admin.auth;
    // dual: member of A (through A's admin), admin of a second tenant B
    await addMember(t, { auth: m.fresh, tenant_id: tenantA }, { email: DUAL.email, password: DUAL.password });
    tenantB = (await secondTenant(t, DUAL.email, DUAL.password)).tenant_id;
  });
  afterAll(() => t.close());

  /** The bootstrap admin (tenant A admin, sys security) with a fresh second factor. */
  async function freshOperator() {
    const l = await adminLogin(t);
    opAuth = await stepUp(t, l.auth, totp);
    return opAuth;
  }

  it('a removed member fails on the next request in that tenant, cannot log in to it, and keeps their other tenant', async () => {
    const inA = await login(t, DUAL.email, DUAL.password, { tenantId: tenantA });
    const inB = await login(t, DUAL.email, DUAL.password, { tenantId: tenantB });
    const dualId = (await t.http.get('/me').set(inA.auth).expect(200)).body.user.id;

    // B's admin (dual) cannot remove anyone from A, and A's admin needs step-up
    expect([403]).toContain((await t.http.delete(`/tenants/${tenantA}/members/${dualId}`).set(inB.auth)).status);
    const plain = await adminLogin(t);
    expectProblem(await t.http.delete(`/tenants/${tenantA}/members/${dualId}`).set(plain.auth), 403, 'mfa_step_up_required');

    const res = await t.http
      .delete(`/tenants/${tenantA}/members/${dualId}`)
      .set(await freshOperator())
      .expect(200);
    // inA and the login secondTenant() made (its default tenant was A); inB stays
    expect(res.body).toEqual({ removed: true, revoked_sessions: 2 });
    expectProblem(await t.http.get('/me').set(inA.auth), 401, 'session_revoked');
    expectProblem(await t.http.post('/auth/refresh').send({ refresh_token: inA.refresh_token }), 401, 'session_revoked');
    expectProblem(await t.http.post('/auth/login').send({ ...DUAL, tenant_id: tenantA }), 403, 'not_a_member');
    // the other tenant is untouched, and a default login lands there now
    expect((await t.http.get('/me').set(inB.auth).expect(200)).body.tenant.id).toBe(tenantB);
    const again = await login(t, DUAL.email, DUAL.password);
    expect((await t.http.get('/me').set(again.auth).expect(200)).body.tenant.id).toBe(tenantB);

    // gone from A's member list; the removal is in A's audit and the person's own, who is e-mailed
    const list = await t.http.get(`/tenants/${tenantA}/members`).set(opAuth).expect(200);
    expect(list.body.items.map((i: { user_id: string }) => i.user_id)).not.toContain(dualId);
    await t.settle();
    const tenantEvents = await t.http.get(`/tenants/${tenantA}/security-events`).set(opAuth).expect(200);
    expect(tenantEvents.body.items.map((e: { type: string }) => e.type)).toContain('member_removed');
    const own = await t.http.get('/auth/security-events').set(again.auth).expect(200);
    expect(own.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['membership_ended', 'new_login']));
    expect(readOutbox(t.dataDir).filter((m) => m.securityEvent === 'membership_ended' && m.to.includes(DUAL.email))).toHaveLength(1);

    expectProblem(await t.http.delete(`/tenants/${tenantA}/members/${dualId}`).set(opAuth), 404, 'member_not_found');
    expectProblem(await t.http.delete(`/tenants/${tenantA}/members/__proto__`).set(opAuth), 404, 'member_not_found');
  });

  it('the last admin cannot be removed (409); with a second admin the first can go', async () => {
    const me = await t.http
      .get('/me')
      .set(await freshOperator())
      .expect(200);
    expectProblem(await t.http.delete(`/tenants/${tenantA}/members/${me.body.user.id}`).set(opAuth), 409, 'last_admin');
    // demoting the last admin leaves the tenant without one just the same
    expectProblem(
      await t.http
        .patch(`/tenants/${tenantA}/members/${me.body.user.id}`)
        .set(opAuth)
        .send({ roles: ['member'] }),
      409,
      'last_admin',
    );
    const second = await addMember(t, { auth: opAuth, tenant_id: tenantA }, { email: 'second-admin@a.test', roles: ['tenant_admin'] });
    await t.http.delete(`/tenants/${tenantA}/members/${second.user_id}`).set(opAuth).expect(200);
    expectProblem(await t.http.delete(`/tenants/${tenantA}/members/${me.body.user.id}`).set(opAuth), 409, 'last_admin');
    // B's only admin is protected the same way
    const dual = await login(t, DUAL.email, DUAL.password, { tenantId: tenantB });
    const dualId = (await t.http.get('/me').set(dual.auth).expect(200)).body.user.id;
    const dualTotp = await withTotp(t, dual);
    expectProblem(await t.http.delete(`/tenants/${tenantB}/members/${dualId}`).set(dualTotp.fresh), 409, 'last_admin');
  });

  it('a deactivated person cannot log in anywhere; a reactivated one can', async () => {
    const member = await addMember(t, { auth: await freshOperator(), tenant_id: tenantA }, { email: 'deact@a.test' });
    const session = await login(t, 'deact@a.test', member.password);
    const other = await addMember(t, { auth: opAuth, tenant_id: tenantA }, { email: 'bystander@a.test' });
    const bystander = await login(t, 'bystander@a.test', other.password);

    expectProblem(
      await t.http.post(`/sys/users/${member.user_id}/deactivate`).set(bystander.auth).send({ reason: 'test' }),
      403,
      'sys_role_required',
    );
    const plain = await adminLogin(t);
    expectProblem(
      await t.http.post(`/sys/users/${member.user_id}/deactivate`).set(plain.auth).send({ reason: 'left' }),
      403,
      'mfa_step_up_required',
    );
    expectProblem(await t.http.post(`/sys/users/${member.user_id}/deactivate`).set(opAuth).send({}), 400, 'validation_failed');
    expectProblem(await t.http.post('/sys/users/not-a-uuid/deactivate').set(opAuth).send({ reason: 'left' }), 404, 'user_not_found');
    const me = await t.http.get('/me').set(opAuth).expect(200);
    expectProblem(
      await t.http.post(`/sys/users/${me.body.user.id}/deactivate`).set(opAuth).send({ reason: 'oops' }),
      409,
      'cannot_deactivate_self',
    );

    const off = await t.http
      .post(`/sys/users/${member.user_id}/deactivate`)
      .set(opAuth)
      .send({ reason: 'left the federation' })
      .expect(200);
    expect(off.body).toEqual({ deactivated: true, revoked_sessions: 1 });
    expectProblem(await t.http.get('/me').set(session.auth), 401, 'session_revoked');
    expectProblem(await t.http.post('/auth/login').send({ email: 'deact@a.test', password: member.password }), 403, 'account_deactivated');
    // the forgotten-password path does not reopen it either: nothing is sent
    await t.http.post('/auth/password/forgot').send({ email: 'deact@a.test' }).expect(202);
    // other people are untouched
    await t.http.get('/me').set(bystander.auth).expect(200);

    await t.http.post(`/sys/users/${member.user_id}/reactivate`).set(opAuth).expect(200);
    const back = await login(t, 'deact@a.test', member.password);
    await t.http.get('/me').set(back.auth).expect(200);
    await eventually(t, () =>
      readOutbox(t.dataDir).some((m) => m.securityEvent === 'account_reactivated' && m.to.includes('deact@a.test')),
    );
    const mails = readOutbox(t.dataDir).filter((m) => m.to.includes('deact@a.test'));
    expect(mails.filter((m) => m.securityEvent === 'account_deactivated')).toHaveLength(1);
    expect(mails.filter((m) => /X-Password-Reset/.test(m.raw))).toHaveLength(0);
    const events = await t.http.get('/auth/security-events').set(bearer(back.access_token)).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['account_deactivated', 'account_reactivated']),
    );
  });
});
