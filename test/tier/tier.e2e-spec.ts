import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JwtKeys } from '../../src/identity/auth/jwt-keys.service.js';
import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { TIER_MATRIX } from '../../src/tenant-tier/tier-matrix.data.js';
import { matrixSubsystems } from '../../src/tenant-tier/tier-matrix.js';
import { TIER_JOBS } from '../../src/tenant-tier/tier-jobs.service.js';
import { BOOTSTRAP_ENV, bearer, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { GatedFixtureModule } from './gated.fixture.js';
import { createTenant, grant, rootOperator, TENANT_TYPES, type Tenant } from './support.js';

describe('tenant tiers: matrix, gate, add-ons, snapshot (e2e)', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;
  const tenants: Record<string, Tenant> = {};

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV, extraModules: [GatedFixtureModule] });
    op = await rootOperator(t);
    for (const type of TENANT_TYPES) tenants[type] = await createTenant(t, op.auth, type);
  });
  afterAll(() => t.close());

  it('one tenant of every type: GET /me/tenant-tier matches the matrix', async () => {
    for (const type of TENANT_TYPES) {
      const res = await t.http.get('/me/tenant-tier').set(tenants[type]!.admin).expect(200);
      const rule = TIER_MATRIX[type];
      expect(res.body).toEqual({
        tenant_id: tenants[type]!.tenant_id,
        tenant_type: type,
        all_access: rule.all_access,
        allowed_subsystems: rule.all_access ? ['*'] : matrixSubsystems(type),
        addons: [],
        included_domains: rule.included_domains,
        excluded_subsystems: rule.excluded_subsystems,
        version: 1,
      });
    }
    expect((await t.http.get('/me/tenant-tier').set(tenants.CHAIN!.admin)).body.allowed_subsystems).toContain('F02.09');
    expect((await t.http.get('/me/tenant-tier').set(tenants.CLUB!.admin)).body.allowed_subsystems).not.toContain('F02.09');
    expect((await t.http.get('/me/tenant-tier').set(tenants.INDIVIDUAL!.admin)).body.allowed_subsystems).toContain('F02.08');
  });

  it('a CLUB is refused the gated route with the exact 403 body; a CHAIN and a FEDERATION pass; MFA is never gated away', async () => {
    const res = await t.http.get('/test/gated/chain').set(tenants.CLUB!.admin);
    expectProblem(res, 403, 'tenant_type_not_eligible');
    expect(res.body).toEqual({
      type: 'https://petanque.life/problems/tenant-type-not-eligible',
      title: 'Forbidden',
      status: 403,
      detail: "Your organisation's tier does not include F02.09.",
      error_code: 'tenant_type_not_eligible',
      subsystem: 'F02.09',
      tenant_type: 'CLUB',
    });
    await t.http.get('/test/gated/chain').set(tenants.CHAIN!.admin).expect(200);
    await t.http.get('/test/gated/chain').set(tenants.FEDERATION!.admin).expect(200);
    for (const type of TENANT_TYPES) await t.http.get('/test/gated/mfa').set(tenants[type]!.admin).expect(200);
    // controller-level decorator
    expectProblem(await t.http.get('/test/gated-individual').set(tenants.CHAIN!.admin), 403, 'tenant_type_not_eligible');
    await t.http.get('/test/gated-individual').set(tenants.INDIVIDUAL!.admin).expect(200);
  });

  it('runs after authentication: no token -> 401 unauthenticated; no tenant context -> 401 unauthenticated_tenant_context', async () => {
    expectProblem(await t.http.get('/test/gated/chain'), 401, 'unauthenticated');
    // a route that authentication lets through without a caller (public) has no tenant to judge
    expectProblem(await t.http.get('/test/gated/public-chain'), 401, 'unauthenticated_tenant_context');
    // a signed token without `tid` never reaches the gate: authentication refuses it first
    const l = await login(t, tenants.CHAIN!.email, 'a long enough password 123');
    const me = (await t.http.get('/me').set(l.auth).expect(200)).body;
    const noTenant = await t.app
      .get(JwtKeys)
      .sign({ sub: me.user.id, tid: '', sid: l.session_id, roles: [], sys: [], amr: ['pwd'], auth_time: 0, mfa_at: null });
    expectProblem(await t.http.get('/test/gated/chain').set(bearer(noTenant.token)), 401, 'invalid_token');
  });

  it('grant -> allowed on the very next request; revoke -> refused on the very next request', async () => {
    const club = tenants.CLUB!;
    expectProblem(await t.http.get('/test/gated/chain').set(club.admin), 403, 'tenant_type_not_eligible'); // now cached
    const g = await grant(t, op.auth, club.tenant_id, { billing_reference: 'INV-2026-001' }).expect(201);
    expect(g.body).toMatchObject({
      tenant_id: club.tenant_id,
      subsystem_id: 'F02.09',
      expires_at: null,
      billing_reference: 'INV-2026-001',
      reason: 'pilot for the spring season',
      granted_by: op.user_id,
      granted_at: t.clock.now().toISOString(),
      status: 'active',
    });
    await t.http.get('/test/gated/chain').set(club.admin).expect(200);
    const snap = (await t.http.get('/me/tenant-tier').set(club.admin).expect(200)).body;
    expect(snap).toMatchObject({ version: 2, addons: [{ subsystem_id: 'F02.09', expires_at: null }] });
    expect(snap.allowed_subsystems).toContain('F02.09');
    // a second active add-on for the same subsystem is a conflict
    expectProblem(await grant(t, op.auth, club.tenant_id), 409, 'addon_exists');

    await t.http
      .delete(`/sys/tenants/${club.tenant_id}/tier/addons/${g.body.addon_id}`)
      .set(op.auth)
      .send({ reason: 'pilot over' })
      .expect(200);
    expectProblem(await t.http.get('/test/gated/chain').set(club.admin), 403, 'tenant_type_not_eligible');
    expectProblem(
      await t.http.delete(`/sys/tenants/${club.tenant_id}/tier/addons/${g.body.addon_id}`).set(op.auth),
      409,
      'addon_not_active',
    );
    expect((await t.http.get('/me/tenant-tier').set(club.admin)).body).toMatchObject({ version: 3, addons: [] });
  });

  it('the expiry job expires an add-on one minute ahead on the controllable clock; a permanent add-on survives', async () => {
    const venue = tenants.VENUE!;
    const timed = await grant(t, op.auth, venue.tenant_id, { expires_at: new Date(t.clock.now().getTime() + 60_000).toISOString() }).expect(
      201,
    );
    await grant(t, op.auth, venue.tenant_id, { subsystem_id: 'F02.08' }).expect(201);
    await t.http.get('/test/gated/chain').set(venue.admin).expect(200);
    await t.http.get('/test/gated-individual').set(venue.admin).expect(200);

    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    await queue.enqueue(TIER_JOBS.expireAddons, {}, { jobId: 'expire-early' }); // before the minute: nothing
    await t.settle();
    let tier = (await t.http.get(`/sys/tenants/${venue.tenant_id}/tier`).set(op.auth).expect(200)).body;
    expect(tier.addons.map((a: { subsystem_id: string }) => a.subsystem_id).sort()).toEqual(['F02.08', 'F02.09']);

    t.clock.advance(61_000);
    await queue.enqueue(TIER_JOBS.expireAddons, {}, { jobId: 'expire-late' });
    await t.settle();
    expectProblem(await t.http.get('/test/gated/chain').set(venue.admin), 403, 'tenant_type_not_eligible');
    await t.http.get('/test/gated-individual').set(venue.admin).expect(200);
    tier = (await t.http.get(`/sys/tenants/${venue.tenant_id}/tier`).set(op.auth).expect(200)).body;
    expect(tier.addons.map((a: { subsystem_id: string }) => a.subsystem_id)).toEqual(['F02.08']);
    expect(tier.addon_history.find((a: { addon_id: string }) => a.addon_id === timed.body.addon_id)).toMatchObject({
      status: 'expired',
      ended_by: null,
    });
    const audit = (await t.http.get(`/sys/audit?tenant_id=${venue.tenant_id}&type=addon_expired`).set(op.auth).expect(200)).body.items;
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ addon_id: timed.body.addon_id, subsystem_id: 'F02.09' });
    // a second run has nothing left to expire
    await queue.enqueue(TIER_JOBS.expireAddons, {}, { jobId: 'expire-again' });
    await t.settle();
    expect((await t.http.get(`/sys/audit?tenant_id=${venue.tenant_id}&type=addon_expired`).set(op.auth)).body.items).toHaveLength(1);
  });

  it('an add-on past its expiry stops counting at once, even before the job runs', async () => {
    const event = tenants.EVENT!;
    await grant(t, op.auth, event.tenant_id, { expires_at: new Date(t.clock.now().getTime() + 30_000).toISOString() }).expect(201);
    await t.http.get('/test/gated/chain').set(event.admin).expect(200);
    t.clock.advance(31_000);
    expectProblem(await t.http.get('/test/gated/chain').set(event.admin), 403, 'tenant_type_not_eligible');
    expect((await t.http.get('/me/tenant-tier').set(event.admin)).body.addons).toEqual([]);
  });

  it('ETag on the snapshot: 304 while nothing changed, 200 with a new ETag after a change', async () => {
    const aff = tenants.AFFILIATE!;
    const first = await t.http.get('/me/tenant-tier').set(aff.admin).expect(200);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"1-[0-9a-f]{16}"$/);
    const again = await t.http.get('/me/tenant-tier').set(aff.admin).set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await grant(t, op.auth, aff.tenant_id).expect(201);
    const changed = await t.http.get('/me/tenant-tier').set(aff.admin).set('If-None-Match', etag).expect(200);
    expect(changed.headers.etag).toMatch(/^"2-/);
    expect(changed.body.allowed_subsystems).toContain('F02.09');
  });

  it('GET /public/tenant-tiers is byte-equal to the published copy in the repo (web/src/data/tenant-tiers.json)', async () => {
    const res = await t.http
      .get('/public/tenant-tiers')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const file = readFileSync(join(process.cwd(), 'web', 'src', 'data', 'tenant-tiers.json'));
    expect(Buffer.compare(res.body as Buffer, file)).toBe(0);
    expect(JSON.parse(file.toString()).tenant_types.CLUB).toEqual(TIER_MATRIX.CLUB);
    expect((await t.http.get('/public/tenant-tiers').set('If-None-Match', res.headers.etag as string)).status).toBe(304);
  });
});
