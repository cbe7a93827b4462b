import { addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator, type Tenant } from '../tier/support.js';
import { createChain, createVenue, expectField, PASSWORD } from './support.js';

describe('venue chains: chain tenants and venue links (F02.09.01, e2e)', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let A: Tenant, B: Tenant, V1: Tenant, V2: Tenant, club: Tenant;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    op = await rootOperator(t);
    A = await createChain(t, op.auth, 'BOULE');
    B = await createChain(t, op.auth, 'PETANQ');
    V1 = await createVenue(t, op.auth, 'Venue One');
    V2 = await createVenue(t, op.auth, 'Venue Two');
    club = await createTenant(t, op.auth, 'CLUB', 'A club');
  });
  afterAll(() => t.close());

  it('POST /admin/tenants/chain creates a CHAIN tenant with its admin; the code is unique and validated', async () => {
    const me = await t.http.get('/me/tenant-tier').set(A.admin).expect(200);
    expect(me.body).toMatchObject({ tenant_id: A.tenant_id, tenant_type: 'CHAIN' });
    const body = (code: string, email = `x-${code}@chains.test`) => ({
      name: 'Another',
      country: 'NO',
      chain_code: code,
      admin: { email, display_name: 'X', password: PASSWORD },
    });
    expectProblem(await t.http.post('/admin/tenants/chain').set(op.auth).send(body('BOULE')), 409, 'chain_code_taken');
    for (const bad of ['AB', 'ABCDEFGHI', 'boule', 'BOU1E', 'BOULÉ'])
      expectField(await t.http.post('/admin/tenants/chain').set(op.auth).send(body(bad)), 'chain_code');
    expectField(
      await t.http
        .post('/admin/tenants/chain')
        .set(op.auth)
        .send({ ...body('NEWONE'), tenant_type: 'CLUB' }),
      'tenant_type',
    );
    expectField(
      await t.http
        .post('/admin/tenants/chain')
        .set(op.auth)
        .send({ ...body('NEWONE'), admin: [] }),
      'admin',
    );
    expectField(
      await t.http
        .post('/admin/tenants/chain')
        .set(op.auth)
        .send({ ...body('NEWONE'), extra: 1 }),
      'extra',
    );
    // not an operator: a chain admin cannot create chains
    expectProblem(await t.http.post('/admin/tenants/chain').set(A.admin).send(body('NEWTWO')), 403, 'sys_role_required');
    // a weak password writes nothing: the code is still free afterwards
    const weak = await t.http
      .post('/admin/tenants/chain')
      .set(op.auth)
      .send({ ...body('WEAKPW'), admin: { email: 'w@chains.test', display_name: 'W', password: 'short' } });
    expectProblem(weak, 400, 'weak_password');
    const ok = await t.http.post('/admin/tenants/chain').set(op.auth).send(body('WEAKPW')).expect(201);
    expect(ok.body).toMatchObject({ chain_code: 'WEAKPW', tenant_type: 'CHAIN', country: 'NO', admin_created: true });
  });

  it('two concurrent requests for one code: exactly one chain', async () => {
    const send = (n: number) =>
      t.http
        .post('/admin/tenants/chain')
        .set(op.auth)
        .send({
          name: `Race ${n}`,
          country: 'SE',
          chain_code: 'RACE',
          admin: { email: `race${n}@chains.test`, display_name: 'R', password: PASSWORD },
        });
    const res = await Promise.all([send(1), send(2), send(3)]);
    expect(res.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('the full lifecycle: invite, accept by the right venue only, unlink, re-invite; periods are kept', async () => {
    const inv = await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: V1.tenant_id }).expect(201);
    expect(inv.body).toMatchObject({ chain_id: A.tenant_id, venue_id: V1.tenant_id, status: 'PENDING', joined_at: null });
    expectProblem(
      await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: V1.tenant_id }),
      409,
      'invitation_pending',
    );
    // another venue's admin, naming V1 from V2's session: refused before anything else
    expectProblem(await t.http.post(`/venue/${V1.tenant_id}/accept-chain/${A.tenant_id}`).set(V2.admin), 403, 'tenant_context_mismatch');
    // V2 has no invitation from A
    expectProblem(await t.http.post(`/venue/${V2.tenant_id}/accept-chain/${A.tenant_id}`).set(V2.admin), 404, 'invitation_not_found');
    // the chain admin cannot accept on the venue's behalf
    expectProblem(await t.http.post(`/venue/${V1.tenant_id}/accept-chain/${A.tenant_id}`).set(A.admin), 403, 'tenant_context_mismatch');
    // a plain member of the venue is not its admin
    const m = await addMember(t, { auth: V1.admin, tenant_id: V1.tenant_id }, { email: 'member@v1.test', roles: ['member'] });
    const member = await login(t, 'member@v1.test', m.password);
    expectProblem(await t.http.post(`/venue/${V1.tenant_id}/accept-chain/${A.tenant_id}`).set(member.auth), 403, 'tenant_admin_required');

    const acc = await t.http.post(`/venue/${V1.tenant_id}/accept-chain/${A.tenant_id}`).set(V1.admin).expect(200);
    expect(acc.body).toMatchObject({ membership_id: inv.body.membership_id, status: 'ACTIVE', joined_at: t.clock.now().toISOString() });
    expectProblem(
      await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: V1.tenant_id }),
      409,
      'venue_already_in_chain',
    );

    t.clock.advance(60_000);
    const del = await t.http.delete(`/chain/${A.tenant_id}/venues/${V1.tenant_id}`).set(A.admin).expect(200);
    expect(del.body).toMatchObject({ membership_id: inv.body.membership_id, status: 'INACTIVE', left_at: t.clock.now().toISOString() });
    expectProblem(await t.http.delete(`/chain/${A.tenant_id}/venues/${V1.tenant_id}`).set(A.admin), 404, 'membership_not_found');

    t.clock.advance(60_000);
    const again = await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: V1.tenant_id }).expect(201);
    expect(again.body.membership_id).not.toBe(inv.body.membership_id);
    await t.http.post(`/venue/${V1.tenant_id}/accept-chain/${A.tenant_id}`).set(V1.admin).expect(200);

    const list = await t.http.get(`/chain/${A.tenant_id}/venues`).set(A.admin).expect(200);
    const periods = list.body.items.filter((i: { venue_id: string }) => i.venue_id === V1.tenant_id);
    expect(periods).toEqual([
      expect.objectContaining({ membership_id: again.body.membership_id, status: 'ACTIVE', venue_name: 'Venue One', left_at: null }),
      expect.objectContaining({
        membership_id: inv.body.membership_id,
        status: 'INACTIVE',
        joined_at: acc.body.joined_at,
        left_at: del.body.left_at,
      }),
    ]);
    const active = await t.http.get(`/chain/${A.tenant_id}/venues?status=ACTIVE`).set(A.admin).expect(200);
    expect(active.body.items.map((i: { membership_id: string }) => i.membership_id)).toEqual([again.body.membership_id]);
  });

  it('a venue cannot join two chains, also when both acceptances arrive at once', async () => {
    const v = await createVenue(t, op.auth, 'Venue Race');
    await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: v.tenant_id }).expect(201);
    await t.http.post(`/chain/${B.tenant_id}/add-venue`).set(B.admin).send({ venue_tenant_id: v.tenant_id }).expect(201);
    const res = await Promise.all([
      t.http.post(`/venue/${v.tenant_id}/accept-chain/${A.tenant_id}`).set(v.admin),
      t.http.post(`/venue/${v.tenant_id}/accept-chain/${B.tenant_id}`).set(v.admin),
    ]);
    expect(res.map((r) => r.status).sort()).toEqual([200, 409]);
    expectProblem(
      res.find((r) => r.status === 409)!,
      409,
      'venue_in_another_chain',
    );
    // sequentially too: V1 is ACTIVE in A; B invites it, accepting is refused
    await t.http.post(`/chain/${B.tenant_id}/add-venue`).set(B.admin).send({ venue_tenant_id: V1.tenant_id }).expect(201);
    expectProblem(await t.http.post(`/venue/${V1.tenant_id}/accept-chain/${B.tenant_id}`).set(V1.admin), 409, 'venue_in_another_chain');
  });

  it('only VENUE tenants can be invited', async () => {
    for (const other of [club.tenant_id, B.tenant_id, '00000000-0000-4000-8000-000000000000'])
      expectProblem(
        await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: other }),
        404,
        'venue_not_found',
      );
  });

  it("another chain's admin: the chain path is not theirs (403), and this chain's memberships are not found from their own chain (404)", async () => {
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/venues`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(
      await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(B.admin).send({ venue_tenant_id: V2.tenant_id }),
      403,
      'tenant_context_mismatch',
    );
    expectProblem(await t.http.delete(`/chain/${A.tenant_id}/venues/${V1.tenant_id}`).set(B.admin), 403, 'tenant_context_mismatch');
    // V1 is ACTIVE in A, and only has a pending invitation from B (withdrawing it is B's right)
    const bList = (await t.http.get(`/chain/${B.tenant_id}/venues`).set(B.admin).expect(200)).body.items;
    expect(bList.every((i: { chain_id: string }) => i.chain_id === B.tenant_id)).toBe(true);
    expect(bList.some((i: { venue_id: string; status: string }) => i.venue_id === V1.tenant_id && i.status === 'ACTIVE')).toBe(false);
    await t.http.delete(`/chain/${B.tenant_id}/venues/${V1.tenant_id}`).set(B.admin).expect(200); // withdraws B's invitation
    expectProblem(await t.http.delete(`/chain/${B.tenant_id}/venues/${V1.tenant_id}`).set(B.admin), 404, 'membership_not_found');
    // V1's membership in A is untouched
    const aList = (await t.http.get(`/chain/${A.tenant_id}/venues?status=ACTIVE`).set(A.admin).expect(200)).body.items;
    expect(aList.map((i: { venue_id: string }) => i.venue_id)).toContain(V1.tenant_id);
    // a venue's admin on the chain's list: their session is the venue's
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/venues`).set(V1.admin), 403, 'tenant_context_mismatch');
  });

  it('a CLUB tenant is refused every chain route: 403 tenant_type_not_eligible', async () => {
    const c = club.tenant_id;
    const routes = [
      t.http.post(`/chain/${c}/add-venue`).send({ venue_tenant_id: V1.tenant_id }),
      t.http.post(`/chain/${A.tenant_id}/add-venue`).send({ venue_tenant_id: V1.tenant_id }),
      t.http.post(`/venue/${c}/accept-chain/${A.tenant_id}`),
      t.http.delete(`/chain/${c}/venues/${V1.tenant_id}`),
      t.http.get(`/chain/${c}/venues`),
      t.http.get(`/chain/${A.tenant_id}/venues`),
    ];
    for (const r of routes) expectProblem(await r.set(club.admin), 403, 'tenant_type_not_eligible');
    // the operator route answers the operator check first (the global guard): a club admin is no operator
    expectProblem(await t.http.post('/admin/tenants/chain').set(club.admin).send({}), 403, 'sys_role_required');
  });

  it('bad input: 400 naming the field; ids that are not ids are not found', async () => {
    expectField(await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: 'nope' }), 'venue_tenant_id');
    expectField(await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({}), 'venue_tenant_id');
    expectField(
      await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: V2.tenant_id, role: 'x' }),
      'role',
    );
    expectField(await t.http.get(`/chain/${A.tenant_id}/venues?status=GONE`).set(A.admin), 'status');
    expectField(await t.http.get(`/chain/${A.tenant_id}/venues?limit=0`).set(A.admin), 'limit');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/venues?cursor=xyz`).set(A.admin), 400, 'invalid_cursor');
    expectProblem(await t.http.get('/chain/__proto__/venues').set(A.admin), 404, 'chain_not_found');
    expectProblem(await t.http.post(`/venue/${V1.tenant_id}/accept-chain/constructor`).set(V1.admin), 404, 'chain_not_found');
    expectProblem(await t.http.delete(`/chain/${A.tenant_id}/venues/toString`).set(A.admin), 404, 'venue_not_found');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/venues`), 401, 'unauthenticated');
  });
});
