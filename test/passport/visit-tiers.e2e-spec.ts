import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { expectProblem } from '../support/test-app.js';
import { expectField } from '../chain/support.js';
import { award, checkIn, createPassport, person, qrToken, relogin, world, type Player, type World } from './support.js';

describe('visit tiers over a rolling 365 days, visit history, search and bad input (F02.09.03, .10, e2e)', () => {
  let w: World;
  let p: Player, q: Player;
  let id: string, idQ: string;
  let tok: string;

  beforeAll(async () => {
    w = await world('VTA', 'VTB');
    p = await person(w.t, w.A, 'pia@visits.test', ['member'], 'Pia Pointeuse');
    q = await person(w.t, w.V2, 'quinn@visits.test', ['member'], 'Quinn Pia');
    id = await createPassport(w.t, p, w.A.tenant_id);
    idQ = await createPassport(w.t, q, w.A.tenant_id);
    tok = await qrToken(w.t, p, id);
  }, 120_000);
  afterAll(() => w.t.close());

  const view = async (auth = p.auth) => {
    const res = await w.t.http.get(`/chain/${w.A.tenant_id}/passport/${p.user_id}`).set(auth);
    expect(res.status).toBe(200);
    return res.body;
  };
  const visitAt = async (at: string, venue = w.V1, staff = w.staff1.auth) => {
    w.t.clock.set(at);
    await relogin(w.t);
    const res = await w.t.http
      .post(`/chain/${w.A.tenant_id}/passport/${p.user_id}/visit`)
      .set(staff)
      .send({ venue_id: venue.tenant_id, qr_token: tok });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('BRONZE at 5 visits in the window; the view names the count, the drop-out day and what the next tier needs', async () => {
    expect(await view()).toMatchObject({
      visit_tier: null,
      visits_in_window: 0,
      oldest_visit_drops_out_on: null,
      next_tier: 'BRONZE',
      visits_to_next_tier: 5,
    });
    await visitAt('2026-03-02T10:00:00.000Z');
    expect(await view()).toMatchObject({ visits_in_window: 1, oldest_visit_drops_out_on: '2027-03-02', visits_to_next_tier: 4 });
    await visitAt('2026-06-01T10:00:00.000Z');
    await visitAt('2026-06-01T10:30:00.000Z', w.V2, w.V2.admin);
    await visitAt('2026-09-01T10:00:00.000Z');
    const fifth = await visitAt('2026-12-01T10:00:00.000Z');
    expect(fifth.passport.visits).toMatchObject({ visit_tier: 'BRONZE', visits_in_window: 5 });
    expect(await view()).toMatchObject({
      passport_id: id,
      visit_tier: 'BRONZE',
      visits_in_window: 5,
      oldest_visit_drops_out_on: '2027-03-02',
      next_tier: 'SILVER',
      visits_to_next_tier: 15,
      window_days: 365,
    });
  });

  it('the oldest visit drops out on its day: the tier falls back without any new event', async () => {
    w.t.clock.set('2027-03-01T23:59:59.000Z');
    await relogin(w.t);
    expect(await view()).toMatchObject({ visit_tier: 'BRONZE', visits_in_window: 5 });
    w.t.clock.set('2027-03-02T00:00:00.000Z');
    expect(await view()).toMatchObject({
      visit_tier: null,
      visits_in_window: 4,
      oldest_visit_drops_out_on: '2027-06-01',
      next_tier: 'BRONZE',
      visits_to_next_tier: 1,
    });
    // readers: the chain's admin and staff too; not another player, not another chain
    await view(w.A.admin);
    await view(w.staff1.auth);
    expectProblem(await w.t.http.get(`/chain/${w.A.tenant_id}/passport/${p.user_id}`).set(q.auth), 404, 'passport_not_found');
    expectProblem(await w.t.http.get(`/chain/${w.A.tenant_id}/passport/${p.user_id}`).set(w.B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await w.t.http.get(`/chain/${w.B.tenant_id}/passport/${p.user_id}`).set(w.B.admin), 404, 'passport_not_found');
  });

  it('visit history: newest first, stable cursor pages, venue, points and kind; the same after a rebuild', async () => {
    const { t, V1, staff1 } = w;
    await award(t, staff1.auth, id, V1.tenant_id, 7, 'league bonus').expect(201);
    const all: Array<{ visit_id: string; visited_at: string; kind: string; venue_id: string; points_earned: number }> = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: typeof all; next_cursor: string | null } } = await t.http
        .get(`/chain/passports/${id}/visits?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set(p.auth)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      all.push(...res.body.items);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(all.map((v) => [v.visited_at.slice(0, 16), v.kind, v.points_earned])).toEqual([
      ['2027-03-02T00:00', 'points', 7],
      ['2026-12-01T10:00', 'check_in', 10],
      ['2026-09-01T10:00', 'check_in', 10],
      ['2026-06-01T10:30', 'check_in', 10],
      ['2026-06-01T10:00', 'check_in', 10],
      ['2026-03-02T10:00', 'check_in', 10],
    ]);
    expect(all[3]!.venue_id).toBe(w.V2.tenant_id);
    expect(all[0]).toMatchObject({ reason: 'league bonus' });
    await t.app.get(ProjectionEngine).rebuild('chain_passport_visits');
    await t.app.get(ProjectionEngine).rebuild('chain_passport_visit_tiers');
    const again = await t.http.get(`/chain/passports/${id}/visits?limit=50`).set(p.auth).expect(200);
    expect(again.body.items.map((v: { visit_id: string }) => v.visit_id)).toEqual(all.map((v) => v.visit_id));
    expect(await view()).toMatchObject({ visits_in_window: 4 });
  });

  it('search for admins and staff: by passport id (or prefix) and by display-name prefix, not across chains', async () => {
    const { t, A, B, staff1 } = w;
    const s = async (term: string, auth = A.admin) =>
      (
        await t.http
          .get(`/chain/passports?chain_id=${A.tenant_id}&q=${encodeURIComponent(term)}`)
          .set(auth)
          .expect(200)
      ).body.items.map((i: { passport_id: string }) => i.passport_id);
    expect(await s('pia')).toEqual([id]);
    expect(await s('Qu')).toEqual([idQ]);
    expect(await s('VTA-PASS-000002')).toEqual([idQ]);
    expect(await s('vta-pass-00000')).toEqual([id, idQ]);
    expect(await s('nobody')).toEqual([]);
    expect(await s('P', staff1.auth)).toEqual([id]);
    const item = (await t.http.get(`/chain/passports?chain_id=${A.tenant_id}&q=pia`).set(A.admin)).body.items[0];
    expect(item).toMatchObject({ display_name: 'Pia Pointeuse', status: 'ACTIVE', tier: 'REGULAR', total_games: 5, total_points: 57 });
    expectProblem(await t.http.get(`/chain/passports?chain_id=${A.tenant_id}&q=pia`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/passports?chain_id=${A.tenant_id}&q=pia`).set(p.auth), 403, 'tenant_admin_required');
    expectProblem(await t.http.get(`/chain/passports?chain_id=${A.tenant_id}&q=pia`).set(w.V4.admin), 403, 'tenant_context_mismatch');
  });

  it('bad input: 400 problem+json naming the field', async () => {
    const { t, A, V1, staff1 } = w;
    expectField(await t.http.post('/chain/passports').set(p.auth).send({}), 'chain_id');
    expectField(await t.http.post('/chain/passports').set(p.auth).send({ chain_id: 'x' }), 'chain_id');
    expectField(
      await t.http.post('/chain/passports').set(p.auth).send({ chain_id: A.tenant_id, display_name: 'a\u202eb' }),
      'display_name',
    );
    expectField(await t.http.post('/chain/passports').set(p.auth).send({ chain_id: A.tenant_id, extra: 1 }), 'extra');
    expectField(await checkIn(t, staff1.auth, id, 'nope', tok), 'venue_id');
    expectField(await t.http.post(`/chain/passports/${id}/check-in`).set(staff1.auth).send({ venue_id: V1.tenant_id }), 'qr_token');
    expectField(await award(t, staff1.auth, id, V1.tenant_id, 0), 'points');
    expectField(await award(t, staff1.auth, id, V1.tenant_id, 1001), 'points');
    expectField(await award(t, staff1.auth, id, V1.tenant_id, 1.5), 'points');
    expectField(
      await t.http.post(`/chain/passports/${id}/award-points`).set(staff1.auth).send({ venue_id: V1.tenant_id, points: 5 }),
      'reason',
    );
    expectField(
      await t.http.put(`/chain/passports/${id}`).set(A.admin).send({ tier_override: 'DIAMOND', tier_override_reason: 'why not' }),
      'tier_override',
    );
    expectField(
      await t.http
        .put(`/chain/passports/${id}`)
        .set(A.admin)
        .send({ tier_override: 'GOLD', tier_override_reason: 'ok then', tier_override_until: 'tomorrow' }),
      'tier_override_until',
    );
    expectField(await t.http.put(`/chain/passports/${id}`).set(A.admin).send({ banned: 'yes' }), 'banned');
    expectField(await t.http.put(`/chain/passports/${id}`).set(A.admin).send({ banned: true }), 'ban_reason');
    expectField(await t.http.get(`/chain/passports/${id}/visits?limit=0`).set(p.auth), 'limit');
    expectField(await t.http.get('/chain/passports/me').set(p.auth), 'chain_id');
    expectField(
      await t.http
        .put(`/chain/${A.tenant_id}/passport-settings`)
        .set(A.admin)
        .send({ gold_points: 100, platinum_points: 50, check_in_points: 1 }),
      'platinum_points',
    );
    expectField(
      await t.http
        .put(`/chain/${A.tenant_id}/passport-settings`)
        .set(A.admin)
        .send({ gold_points: 100, platinum_points: 500, check_in_points: -1 }),
      'check_in_points',
    );
    expectProblem(await t.http.get(`/chain/passports/${id}/visits?cursor=garbage`).set(p.auth), 400);
    expectProblem(await t.http.get('/chain/passports/not-a-passport').set(p.auth), 404, 'passport_not_found');
    expectProblem(await t.http.get('/chain/passports/VTA-PASS-999999').set(p.auth), 404, 'passport_not_found');
    expectProblem(
      await t.http
        .put(`/chain/${A.tenant_id}/passport-settings`)
        .set(staff1.auth)
        .send({ gold_points: 1, platinum_points: 2, check_in_points: 1 }),
      403,
    );
  });
});
