import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { READ_STORE, type ReadStore } from '../../src/readstore/read-store.port.js';

describe('members API and the SecurityEvent audit', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    admin = await adminLogin(t);
  });
  afterAll(() => t.close());

  it('creates members, keeps e-mails unique under concurrency, changes roles, lists with masked e-mails', async () => {
    const body = { email: 'Race@Club.test', display_name: 'Race', roles: ['member'], password: 'a long enough password' };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => t.http.post(`/tenants/${admin.tenant_id}/members`).set(admin.auth).send(body)),
    );
    // one account, whatever the interleaving; every answer is 202 { invitation_id } or 409 member_exists
    expect(results.every((r) => r.status === 202 || r.status === 409)).toBe(true);
    expect(results.filter((r) => r.status === 202).every((r) => Object.keys(r.body).join() === 'invitation_id')).toBe(true);
    const users = await t.app
      .get<ReadStore>(READ_STORE, { strict: false })
      .collection('users')
      .find({ where: { email: 'race@club.test' } });
    expect(users.items).toHaveLength(1);
    const userId = users.items[0]!.id;
    // role changes are a step-up operation: without a fresh second factor they are refused
    expectProblem(
      await t.http
        .patch(`/tenants/${admin.tenant_id}/members/${userId}`)
        .set(admin.auth)
        .send({ roles: ['treasurer', 'member'] }),
      403,
      'mfa_step_up_required',
    );
    const list = (await t.http.get(`/tenants/${admin.tenant_id}/members`).set(admin.auth).expect(200)).body.items;
    const race = list.find((m: { user_id: string }) => m.user_id === userId);
    expect(race).toMatchObject({ roles: ['member'], email_masked: 'ra***@club.test' });
    expect(JSON.stringify(list)).not.toContain('race@club.test');
    const l = await login(t, 'race@club.test', body.password);
    expect((await t.http.get('/me').set(l.auth)).body.roles).toEqual(['member']);
  });

  it('refuses non-admins (403) and answers bad input with 400 on every members endpoint', async () => {
    const m = await addMember(t, admin, { email: 'plain@club.test' });
    const plain = await login(t, 'plain@club.test', m.password);
    expectProblem(await t.http.get(`/tenants/${admin.tenant_id}/members`).set(plain.auth), 403, 'tenant_admin_required');
    expectProblem(
      await t.http
        .post(`/tenants/${admin.tenant_id}/members`)
        .set(plain.auth)
        .send({ email: 'x@y.test', display_name: 'x', roles: ['member'], password: 'a long enough password' }),
      403,
      'tenant_admin_required',
    );
    const base = `/tenants/${admin.tenant_id}/members`;
    expectProblem(
      await t.http
        .post(base)
        .set(admin.auth)
        .send({ email: 'bad', display_name: 'x', roles: ['member'], password: 'a long enough password' }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.http
        .post(base)
        .set(admin.auth)
        .send({ email: 'ok@x.test', display_name: 'x', roles: ['Bad Role!'], password: 'a long enough password' }),
      400,
      'validation_failed',
    );
    expectProblem(
      await t.http
        .post(base)
        .set(admin.auth)
        .send({ email: 'ok@x.test', display_name: 'x', roles: ['member'], password: 'short' }),
      400,
      'weak_password',
    );
    expectProblem(
      await t.http
        .post(base)
        .set(admin.auth)
        .send({ email: 'ok@x.test', display_name: 'x', roles: [], password: 'a long enough password' }),
      400,
      'validation_failed',
    );
    // a path naming any tenant but the session's is refused before it is looked up (issue 10, item 3)
    expectProblem(await t.http.get('/tenants/not-a-uuid/members').set(admin.auth), 403, 'tenant_context_mismatch');
  });

  it("lists the caller's own security events newest first, filtered, paginated, and offers no way to edit them", async () => {
    const m = await addMember(t, admin, { email: 'audit@club.test' });
    for (let i = 0; i < 3; i++) {
      await login(t, 'audit@club.test', m.password);
      t.clock.advance(1000);
    }
    await t.http.post('/auth/login').send({ email: 'audit@club.test', password: 'wrong password!' }).expect(401);
    t.clock.advance(2000);
    const l = await login(t, 'audit@club.test', m.password);
    await t.settle();
    const all = (await t.http.get('/auth/security-events').set(l.auth).expect(200)).body.items;
    expect(all.map((e: { type: string }) => e.type)).toEqual(['new_login', 'login_failed', 'new_login', 'new_login', 'new_login']);
    expect(all[0]).toEqual({
      id: expect.any(String),
      type: 'new_login',
      occurred_at: expect.any(String),
      ip: expect.any(String),
      device: expect.any(Object),
      location: null,
      details: expect.objectContaining({ method: 'password' }),
    });
    const times = all.map((e: { occurred_at: string }) => e.occurred_at);
    expect([...times].sort().reverse()).toEqual(times);
    // someone else's events are not visible
    expect(
      (await t.http.get('/auth/security-events').set(admin.auth)).body.items.some((e: { id: string }) =>
        all.some((a: { id: string }) => a.id === e.id),
      ),
    ).toBe(false);
    const p1 = (await t.http.get('/auth/security-events?type=new_login&limit=2').set(l.auth)).body;
    expect(p1.items).toHaveLength(2);
    const p2 = (await t.http.get(`/auth/security-events?type=new_login&limit=2&cursor=${p1.next_cursor}`).set(l.auth)).body;
    expect(p2.items).toHaveLength(2);
    expect(p2.next_cursor).toBeNull();
    expect(new Set([...p1.items, ...p2.items].map((e: { id: string }) => e.id)).size).toBe(4);
    for (const method of ['delete', 'patch', 'put'] as const)
      expect((await t.http[method](`/auth/security-events/${all[0].id}`).set(l.auth)).status).toBe(404);
  });

  it('bootstrap is idempotent across restarts (same ids, no new events)', async () => {
    const before = await adminLogin(t);
    await t.close({ keepData: true });
    t = await startTestApp({ env: BOOTSTRAP_ENV, dataDir: t.dataDir, clock: t.clock });
    const after = await adminLogin(t);
    expect([after.tenant_id, after.user_id]).toEqual([before.tenant_id, before.user_id]);
    expect((await t.http.get('/me').set(after.auth)).body.user).toMatchObject({
      email: ADMIN.email,
      sys_roles: ['finance', 'security', 'support'],
    });
  });
});
