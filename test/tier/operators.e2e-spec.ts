import { BOOTSTRAP_ENV, login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { GatedFixtureModule } from './gated.fixture.js';
import { createTenant, freshMfa, grant, operatorWith, PASSWORD, rootOperator, type Auth, type Tenant } from './support.js';

const NO_TENANT = '00000000-0000-4000-8000-000000000000';

describe('tenant tiers: operators, role separation, isolation, bad input (e2e)', () => {
  let t: TestApp;
  let root: Awaited<ReturnType<typeof rootOperator>>;
  let support: { user_id: string; auth: Auth };
  let finance: { user_id: string; auth: Auth };
  let security: { user_id: string; auth: Auth; fresh: Auth };
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV, extraModules: [GatedFixtureModule] });
    root = await rootOperator(t);
    support = await operatorWith(t, root.fresh, ['support']);
    finance = await operatorWith(t, root.fresh, ['finance']);
    const sec = await operatorWith(t, root.fresh, ['security']);
    security = { ...sec, fresh: await freshMfa(t, sec.auth) };
    a = await createTenant(t, root.auth, 'CLUB', 'Boule Club Alpha');
    b = await createTenant(t, root.auth, 'CLUB', 'Boule Club Beta');
  });
  afterAll(() => t.close());

  it('role separation on every /sys route: support reads and creates, finance sells add-ons, only security (fresh) changes types and roles', async () => {
    const addon = await grant(t, finance.auth, b.tenant_id).expect(201);
    const routes: Array<{
      name: string;
      call: (auth: Auth) => Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }>;
      allowed: string[];
    }> = [
      {
        name: 'POST /sys/tenants',
        call: (x) =>
          t.http
            .post('/sys/tenants')
            .set(x)
            .send({
              name: 'X',
              tenant_type: 'EVENT',
              country: 'FR',
              admin: { email: `x${Math.random()}@x.test`, display_name: 'X', password: PASSWORD },
            }),
        allowed: ['support', 'security'],
      },
      { name: 'GET /sys/tenants', call: (x) => t.http.get('/sys/tenants').set(x), allowed: ['support', 'finance', 'security'] },
      { name: 'GET tier', call: (x) => t.http.get(`/sys/tenants/${b.tenant_id}/tier`).set(x), allowed: ['support', 'finance', 'security'] },
      { name: 'GET /sys/audit', call: (x) => t.http.get('/sys/audit').set(x), allowed: ['support', 'finance', 'security'] },
      { name: 'GET cache', call: (x) => t.http.get('/sys/tenant-tier/cache').set(x), allowed: ['support', 'finance', 'security'] },
      // an add-on the caller may not grant: refused before anything is decided (a 409 would mean it got through)
      { name: 'POST addons', call: (x) => grant(t, x, NO_TENANT, { subsystem_id: 'F02.08' }), allowed: ['finance', 'security'] },
      {
        name: 'DELETE addon',
        call: (x) => t.http.delete(`/sys/tenants/${b.tenant_id}/tier/addons/00000000-0000-4000-8000-000000000000`).set(x),
        allowed: ['finance', 'security'],
      },
      {
        name: 'PATCH type',
        call: (x) => t.http.patch(`/sys/tenants/${b.tenant_id}/tier/type`).set(x).send({ tenant_type: 'CLUB', reason: 'no-op check' }),
        allowed: ['security'],
      },
      // the other contexts' operator routes follow the same separation
      { name: 'GET /sys/security-events', call: (x) => t.http.get('/sys/security-events').set(x), allowed: ['security'] },
      { name: 'POST unlock', call: (x) => t.http.post(`/sys/users/${NO_TENANT}/unlock`).set(x), allowed: ['security'] },
      {
        name: 'PUT sys-roles',
        call: (x) => t.http.put(`/sys/users/${b.admin_id}/sys-roles`).set(x).send({ sys_roles: [] }),
        allowed: ['security'],
      },
    ];
    const actors: Record<string, Auth> = { support: support.auth, finance: finance.auth, security: security.fresh, tenant_admin: a.admin };
    for (const r of routes)
      for (const [who, auth] of Object.entries(actors)) {
        const res = await r.call(auth);
        // allowed: past the role check (a 400/404 from the operation itself is fine), never a 5xx
        if (r.allowed.includes(who))
          expect([`${r.name} ${who}`, res.status !== 403 && res.status < 500]).toEqual([`${r.name} ${who}`, true]);
        else {
          expect([`${r.name} ${who}`, res.status, res.body.error_code]).toEqual([`${r.name} ${who}`, 403, 'sys_role_required']);
        }
      }
    // the add-on that finance granted is still there: nobody unauthorised removed it
    expect(
      (await t.http.get(`/sys/tenants/${b.tenant_id}/tier`).set(support.auth)).body.addons.map((x: { addon_id: string }) => x.addon_id),
    ).toEqual([addon.body.addon_id]);
  });

  it('one live add-on per (tenant, subsystem) even under concurrency: of 8 parallel grants exactly one wins, the rest are 409', async () => {
    const c = await createTenant(t, root.auth, 'EVENT');
    const results = await Promise.all(Array.from({ length: 8 }, () => grant(t, finance.auth, c.tenant_id)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error_code === 'addon_exists')).toBe(true);
    expect((await t.http.get(`/sys/tenants/${c.tenant_id}/tier`).set(support.auth)).body.addon_history).toHaveLength(1);
  });

  it('type change needs a fresh second factor (403 mfa_step_up_required), is a 400 to the same type, and applies on the next request', async () => {
    const body = { tenant_type: 'CHAIN', reason: 'the club bought a second venue' };
    expectProblem(await t.http.patch(`/sys/tenants/${a.tenant_id}/tier/type`).set(security.auth).send(body), 403, 'mfa_step_up_required');
    expectProblem(await t.http.get('/test/gated/chain').set(a.admin), 403, 'tenant_type_not_eligible');
    expectProblem(
      await t.http.patch(`/sys/tenants/${a.tenant_id}/tier/type`).set(security.fresh).send({ tenant_type: 'CLUB', reason: 'same type' }),
      400,
      'tenant_type_unchanged',
    );
    const res = await t.http.patch(`/sys/tenants/${a.tenant_id}/tier/type`).set(security.fresh).send(body).expect(200);
    expect(res.body).toEqual({ tenant_id: a.tenant_id, tenant_type: 'CHAIN', previous_type: 'CLUB' });
    await t.http.get('/test/gated/chain').set(a.admin).expect(200);
    expect((await t.http.get('/me').set(a.admin)).body.tenant.tenant_type).toBe('CHAIN');
    expect((await t.http.get('/sys/tenants?type=CHAIN').set(support.auth)).body.items.map((x: { id: string }) => x.id)).toContain(
      a.tenant_id,
    );
  });

  it('two tenants side by side: nothing of B is visible to A, and A cannot act on B by changing the id in a path', async () => {
    await t.settle();
    // B has an add-on (first test) and its admin sees it, in the snapshot and as a tenant security event, and got an e-mail
    expect((await t.http.get('/me/tenant-tier').set(b.admin)).body.addons).toEqual([{ subsystem_id: 'F02.09', expires_at: null }]);
    const bEvents = (await t.http.get(`/tenants/${b.tenant_id}/security-events`).set(b.admin).expect(200)).body.items;
    expect(bEvents.map((e: { type: string }) => e.type)).toContain('tenant.tier.addon_granted');
    const mails = readOutbox(t.dataDir);
    expect(mails.filter((m) => m.securityEvent === 'tenant.tier.addon_granted' && m.to === b.email)).toHaveLength(1);
    expect(mails.filter((m) => m.securityEvent === 'tenant.tier.addon_granted' && m.to === a.email)).toHaveLength(0);
    expect(mails.filter((m) => m.securityEvent === 'tenant.tier.type_changed' && m.to === a.email)).toHaveLength(1);

    // A sees none of it
    expect((await t.http.get('/me/tenant-tier').set(a.admin)).body.addons).toEqual([]);
    const aEvents = (await t.http.get(`/tenants/${a.tenant_id}/security-events`).set(a.admin).expect(200)).body.items;
    expect(aEvents.map((e: { type: string }) => e.type)).toEqual(['tenant.tier.type_changed']);
    expectProblem(await t.http.get(`/tenants/${b.tenant_id}/security-events`).set(a.admin), 403, 'tenant_context_mismatch'); // issue 10: refused before the admin check
    // and cannot act on B (or read B) through the operator routes by putting B's id in the path
    expectProblem(await t.http.get(`/sys/tenants/${b.tenant_id}/tier`).set(a.admin), 403, 'sys_role_required');
    expectProblem(await grant(t, a.admin, b.tenant_id, { subsystem_id: 'F02.08' }), 403, 'sys_role_required');
    expectProblem(await t.http.get(`/sys/audit?tenant_id=${b.tenant_id}`).set(a.admin), 403, 'sys_role_required');
    // the operator audit filters by tenant
    const audit = (await t.http.get(`/sys/audit?tenant_id=${b.tenant_id}`).set(support.auth).expect(200)).body.items;
    expect(new Set(audit.map((e: { tenant_id: string }) => e.tenant_id))).toEqual(new Set([b.tenant_id]));
    expect(audit.map((e: { type: string }) => e.type).sort()).toEqual(['addon_granted', 'tenant_created']);
  });

  it('PUT /sys/users/{id}/sys-roles: security event and e-mail to the person; a removed role stops working on the next request; not on oneself', async () => {
    const p = await operatorWith(t, security.fresh, ['finance']);
    await t.http.get('/sys/tenants').set(p.auth).expect(200);
    await t.settle();
    const events = (await t.http.get('/auth/security-events?type=sys_roles_changed').set(p.auth).expect(200)).body.items;
    expect(events[0].details).toEqual({ sys_roles: ['finance'], previous: [] });
    expect(readOutbox(t.dataDir).filter((m) => m.securityEvent === 'sys_roles_changed')).not.toHaveLength(0);
    await t.http.put(`/sys/users/${p.user_id}/sys-roles`).set(security.fresh).send({ sys_roles: [] }).expect(200);
    expectProblem(await t.http.get('/sys/tenants').set(p.auth), 403, 'sys_role_required'); // same access token
    expectProblem(
      await t.http
        .put(`/sys/users/${security.user_id}/sys-roles`)
        .set(security.fresh)
        .send({ sys_roles: ['security', 'finance'] }),
      403,
      'cannot_change_own_sys_roles',
    );
    expect((await t.http.get(`/sys/audit?type=sys_roles_changed`).set(support.auth)).body.items[0].details).toEqual({
      user_id: p.user_id,
      sys_roles: [],
      previous: ['finance'],
    });
    expectProblem(
      await t.http.put(`/sys/users/00000000-0000-4000-8000-000000000000/sys-roles`).set(security.fresh).send({ sys_roles: [] }),
      404,
      'user_not_found',
    );
  });

  it('POST /sys/tenants: an existing user becomes admin with their password; a new one without a password gets a single-use set-password link', async () => {
    const existing = await t.http
      .post('/sys/tenants')
      .set(support.auth)
      .send({
        name: 'Second club of A',
        tenant_type: 'AFFILIATE',
        country: 'FR',
        admin: { email: a.email, display_name: 'ignored', password: 'another long password' },
      })
      .expect(201);
    expect(existing.body).toMatchObject({
      user_id: a.admin_id,
      admin_created: false,
      set_password_link_sent: false,
      tenant_type: 'AFFILIATE',
      country: 'FR',
    });
    const inNew = await login(t, a.email, PASSWORD, { tenantId: existing.body.tenant_id }); // old password, new tenant
    // the person is told that an operator gave their existing account the roles: audit and e-mail
    await t.settle();
    const events = (await t.http.get('/auth/security-events').set(inNew.auth).expect(200)).body.items;
    expect(events.filter((e: { type: string }) => e.type === 'tenant_membership_granted')).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ tenant_id: existing.body.tenant_id, roles: ['tenant_admin'], granted_by: support.user_id }),
      }),
    ]);
    expect(
      readOutbox(t.dataDir).filter((m) => m.to === a.email.toLowerCase() && /administrator of an organisation|administratör för/.test(m.raw)),
    ).toHaveLength(1);

    const fresh = await t.http
      .post('/sys/tenants')
      .set(support.auth)
      .send({
        name: 'Linköping Boule',
        tenant_type: 'VENUE',
        country: 'SE',
        admin: { email: 'New.Admin@venue.test', display_name: 'New Admin', language: 'sv' },
      })
      .expect(201);
    expect(fresh.body).toMatchObject({ admin_created: true, set_password_link_sent: true });
    await t.settle();
    // a new account gets its set-password mail, not a "you were added" notice
    expect(readOutbox(t.dataDir).filter((m) => m.to === 'new.admin@venue.test' && /administratör för/.test(m.raw))).toHaveLength(0);
    const mail = readOutbox(t.dataDir).find((m) => m.to === 'new.admin@venue.test' && /X-Password-Link/.test(m.raw));
    const text = mail!.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    expect(text).toContain('Ett konto har skapats'); // in the admin's language
    const token = /#token=([\w.-]+)/.exec(text)![1]!;
    expect(token.startsWith(`${fresh.body.user_id}.`)).toBe(true);
    // no password yet: login fails like any wrong password
    expectProblem(
      await t.http.post('/auth/login').send({ email: 'new.admin@venue.test', password: 'anything at all 1' }),
      401,
      'invalid_credentials',
    );
    expectProblem(
      await t.http.post('/auth/password/set').send({ token: `${token.slice(0, -2)}xx`, password: 'my own new password' }),
      400,
      'invalid_or_expired_token',
    );
    expectProblem(await t.http.post('/auth/password/set').send({ token, password: 'short' }), 400, 'weak_password');
    await t.http.post('/auth/password/set').send({ token, password: 'my own new password' }).expect(200);
    expectProblem(
      await t.http.post('/auth/password/set').send({ token, password: 'my own new password 2' }),
      400,
      'invalid_or_expired_token',
    );
    t.clock.advance(2_000); // past the 1 s backoff of the failed login above
    const l = await login(t, 'new.admin@venue.test', 'my own new password');
    expect((await t.http.get('/me').set(l.auth)).body).toMatchObject({
      tenant: { id: fresh.body.tenant_id, tenant_type: 'VENUE' },
      roles: ['tenant_admin'],
    });
  });

  it('GET /sys/tenants lists by type, searches by name prefix and pages with a cursor', async () => {
    const clubs = (await t.http.get('/sys/tenants?type=CLUB').set(support.auth).expect(200)).body.items;
    expect(clubs.map((x: { name: string }) => x.name)).toEqual(['Boule Club Beta']); // A is a CHAIN now
    const found = (await t.http.get('/sys/tenants?q=boule club').set(support.auth).expect(200)).body.items;
    expect(found.map((x: { name: string }) => x.name)).toEqual(['Boule Club Alpha', 'Boule Club Beta']);
    expect(found[0]).toEqual({
      id: a.tenant_id,
      name: 'Boule Club Alpha',
      country: 'SE',
      tenant_type: 'CHAIN',
      created_at: expect.any(String),
    });
    const p1 = (await t.http.get('/sys/tenants?q=boule&limit=1').set(support.auth).expect(200)).body;
    const p2 = (await t.http.get(`/sys/tenants?q=boule&limit=1&cursor=${p1.next_cursor}`).set(support.auth).expect(200)).body;
    expect([p1.items[0].name, p2.items[0].name]).toEqual(['Boule Club Alpha', 'Boule Club Beta']);
    expect((await t.http.get(`/sys/tenants?q=${b.tenant_id}`).set(support.auth)).body.items.map((x: { id: string }) => x.id)).toEqual([
      b.tenant_id,
    ]);
    expectProblem(await t.http.get('/sys/tenants?type=GUILD').set(support.auth), 400, 'validation_failed');
    expectProblem(await t.http.get('/sys/tenants?cursor=garbage').set(support.auth), 400, 'invalid_cursor');
  });

  it('bad input: 400 problem+json naming the field', async () => {
    const grantAs = (body: Record<string, unknown>) => t.http.post(`/sys/tenants/${b.tenant_id}/tier/addons`).set(finance.auth).send(body);
    const base = { subsystem_id: 'F02.08', reason: 'a good reason' };
    const field = async (res: Awaited<ReturnType<typeof grantAs>>, name: string, code = 'validation_failed') => {
      expectProblem(res, 400, code);
      expect(res.body.detail).toContain(name);
    };
    for (const id of ['F2.08', 'F02.8', 'F02.080', 'f02.08', 'F02.08 ', 'X', '', 208, null])
      await field(await grantAs({ ...base, subsystem_id: id }), 'subsystem_id');
    await field(await grantAs({ ...base, reason: 'ab' }), 'reason');
    await field(await grantAs({ ...base, reason: 'x'.repeat(501) }), 'reason');
    await grantAs({
      ...base,
      reason: 'abc',
      subsystem_id: 'F02.08',
      expires_at: new Date(t.clock.now().getTime() + 3600_000).toISOString(),
    }).expect(201); // 3 is fine
    await field(
      await grantAs({ ...base, subsystem_id: 'F02.06', expires_at: new Date(t.clock.now().getTime() - 1000).toISOString() }),
      'expires_at',
    );
    await field(await grantAs({ ...base, subsystem_id: 'F02.06', expires_at: 'tomorrow' }), 'expires_at');
    await field(await grantAs({ ...base, subsystem_id: 'F09.99' }), 'F09.99', 'unknown_subsystem');
    await field(await grantAs({ ...base, extra: 1 }), 'extra');
    expectProblem(await grantAs({ ...base, subsystem_id: 'F02.07' }), 409, 'subsystem_already_allowed');

    const create = (body: Record<string, unknown>) =>
      t.http
        .post('/sys/tenants')
        .set(support.auth)
        .send({
          name: 'N',
          tenant_type: 'CLUB',
          country: 'SE',
          admin: { email: 'z@z.test', display_name: 'Z', password: PASSWORD },
          ...body,
        });
    await field(await create({ tenant_type: 'GUILD' }), 'tenant_type');
    await field(await create({ tenant_type: 'club' }), 'tenant_type');
    await field(await create({ country: 'XX' }), 'country');
    await field(await create({ country: 'se' }), 'country');
    await field(await create({ country: 'EU' }), 'country');
    await field(await create({ admin: { email: 'nope', display_name: 'Z' } }), 'admin.email');
    await field(await create({ admin: { email: 'z@z.test', display_name: 'Z', password: 'short' } }), 'password', 'weak_password');
    await field(
      await t.http.patch(`/sys/tenants/${b.tenant_id}/tier/type`).set(security.fresh).send({ tenant_type: 'GUILD', reason: 'abc' }),
      'tenant_type',
    );
    await field(
      await t.http.patch(`/sys/tenants/${b.tenant_id}/tier/type`).set(security.fresh).send({ tenant_type: 'CHAIN', reason: 'ab' }),
      'reason',
    );
    await field(
      await t.http
        .put(`/sys/users/${b.admin_id}/sys-roles`)
        .set(security.fresh)
        .send({ sys_roles: ['root'] }),
      'sys_roles',
    );
    await field(await t.http.get('/sys/audit?tenant_id=not-a-uuid').set(support.auth), 'tenant_id');
    // ids in paths: 404, never 500
    expectProblem(await t.http.get('/sys/tenants/not-a-uuid/tier').set(support.auth), 404, 'tenant_not_found');
    expectProblem(await t.http.get('/sys/tenants/00000000-0000-4000-8000-000000000000/tier').set(support.auth), 404, 'tenant_not_found');
    expectProblem(await t.http.delete(`/sys/tenants/${b.tenant_id}/tier/addons/nope`).set(finance.auth), 404, 'addon_not_found');
    expectProblem(
      await t.http.delete(`/sys/tenants/${b.tenant_id}/tier/addons/00000000-0000-4000-8000-000000000000`).set(finance.auth),
      404,
      'addon_not_found',
    );
  });

  it('(last: moves the clock) once the fresh window has passed, a type change needs a new step-up', async () => {
    t.clock.advance(301_000);
    expectProblem(
      await t.http.patch(`/sys/tenants/${a.tenant_id}/tier/type`).set(security.fresh).send({ tenant_type: 'CLUB', reason: 'back to club' }),
      403,
      'mfa_step_up_required',
    );
  });
});
