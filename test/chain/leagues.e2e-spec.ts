import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator, type Auth, type Tenant } from '../tier/support.js';
import { createChain, createVenue, expectField, link } from './support.js';

describe('venue chains: cross-venue leagues and the leaderboard projection (F02.09.02, e2e)', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let A: Tenant, B: Tenant, V1: Tenant, V2: Tenant, V3: Tenant, V4: Tenant, club: Tenant;
  let staff1: Auth, member1: Auth;
  const P: string[] = [];
  let league: string;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    op = await rootOperator(t);
    A = await createChain(t, op.auth, 'LEAGA');
    B = await createChain(t, op.auth, 'LEAGB');
    V1 = await createVenue(t, op.auth, 'V1');
    V2 = await createVenue(t, op.auth, 'V2');
    V3 = await createVenue(t, op.auth, 'V3');
    V4 = await createVenue(t, op.auth, 'V4');
    club = await createTenant(t, op.auth, 'CLUB', 'club');
    await link(t, A, V1);
    await link(t, A, V2);
    await link(t, A, V4);
    await link(t, B, V3);
    const s = await addMember(t, { auth: V1.admin, tenant_id: V1.tenant_id }, { email: 'staff@v1.test', roles: ['staff'] });
    staff1 = (await login(t, 'staff@v1.test', s.password)).auth;
    const m = await addMember(t, { auth: V1.admin, tenant_id: V1.tenant_id }, { email: 'member@v1.test', roles: ['member'] });
    member1 = (await login(t, 'member@v1.test', m.password)).auth;
    for (let i = 1; i <= 6; i++)
      P.push((await addMember(t, { auth: V1.admin, tenant_id: V1.tenant_id }, { email: `p${i}@players.test` })).user_id);
  });
  afterAll(() => t.close());

  const result = (venue: string, player: string, pf: number, pa: number, played_at = '2026-03-01T18:00:00.000Z') => ({
    venue_id: venue,
    player_user_id: player,
    played_at,
    won: pf > pa,
    points_for: pf,
    points_against: pa,
  });
  const record = (auth: Auth, body: object, chain = A.tenant_id, l = league) =>
    t.http.post(`/chain/${chain}/leagues/${l}/results`).set(auth).send(body);

  it('a league needs ACTIVE member venues and a season of at most 12 months', async () => {
    const body = { name: 'Spring league', venue_ids: [V1.tenant_id, V2.tenant_id], season_start: '2026-03-01', season_end: '2026-08-31' };
    expectProblem(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, venue_ids: [V1.tenant_id, V3.tenant_id] }),
      409,
      'venue_not_active_member',
    );
    expectField(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, season_end: '2026-03-01' }),
      'season_end',
    );
    expectField(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, season_end: '2027-03-02' }),
      'season_end',
    );
    expectField(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, season_start: '2026-02-30' }),
      'season_start',
    );
    expectField(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, venue_ids: [] }),
      'venue_ids',
    );
    expectField(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, venue_ids: ['x'] }),
      'venue_ids',
    );
    expectField(
      await t.http
        .post(`/chain/${A.tenant_id}/leagues`)
        .set(A.admin)
        .send({ ...body, name: '' }),
      'name',
    );
    expectProblem(await t.http.post(`/chain/${A.tenant_id}/leagues`).set(B.admin).send(body), 403, 'tenant_context_mismatch');
    const res = await t.http.post(`/chain/${A.tenant_id}/leagues`).set(A.admin).send(body).expect(201);
    league = res.body.league_id;
    const list = await t.http.get(`/chain/${A.tenant_id}/leagues`).set(A.admin).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ league_id: league, venue_ids: [V1.tenant_id, V2.tenant_id] })]);
    expect((await t.http.get(`/chain/${B.tenant_id}/leagues`).set(B.admin).expect(200)).body.items).toEqual([]);
  });

  it("results outside the season, from a non-league venue, or by another venue's staff are refused", async () => {
    expectProblem(await record(staff1, result(V1.tenant_id, P[0]!, 13, 5, '2026-02-28T18:00:00.000Z')), 409, 'outside_season');
    expectProblem(await record(staff1, result(V2.tenant_id, P[0]!, 13, 5)), 403, 'tenant_context_mismatch'); // V1 staff for V2
    expectProblem(await record(V4.admin, result(V4.tenant_id, P[0]!, 13, 5)), 409, 'venue_not_in_league'); // A's venue, not in the league
    expectProblem(await record(V3.admin, result(V3.tenant_id, P[0]!, 13, 5)), 409, 'venue_not_in_league'); // B's venue
    expectProblem(await record(member1, result(V1.tenant_id, P[0]!, 13, 5)), 403, 'tenant_admin_required'); // not staff
    expectProblem(await record(A.admin, result(V1.tenant_id, P[0]!, 13, 5)), 403, 'tenant_context_mismatch'); // the chain is not a venue
    // B's admin and B's venue address A's league through chain B: not found
    expectProblem(await record(V3.admin, result(V3.tenant_id, P[0]!, 13, 5), B.tenant_id), 404, 'league_not_found');
    expectProblem(await t.http.get(`/chain/${B.tenant_id}/leagues/${league}/leaderboard`).set(B.admin), 404, 'league_not_found');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard`).set(V3.admin), 403, 'tenant_context_mismatch');
    expectProblem(await record(staff1, result(V1.tenant_id, '00000000-0000-4000-8000-000000000000', 13, 5)), 404, 'player_not_found');
    // bad input names the field
    expectField(await record(staff1, { ...result(V1.tenant_id, P[0]!, 13, 5), points_for: 14 }), 'points_for');
    expectField(await record(staff1, { ...result(V1.tenant_id, P[0]!, 13, 5), points_against: -1 }), 'points_against');
    expectField(await record(staff1, { ...result(V1.tenant_id, P[0]!, 13, 5), won: 'yes' }), 'won');
    expectField(await record(staff1, { ...result(V1.tenant_id, P[0]!, 13, 5), won: false }), 'won');
    expectField(await record(staff1, { ...result(V1.tenant_id, P[0]!, 13, 5), played_at: 'yesterday' }), 'played_at');
    expectField(await record(staff1, { ...result(V1.tenant_id, P[0]!, 13, 5), venue_id: 1 }), 'venue_id');
    expectField(await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard?venue_id=x`).set(A.admin), 'venue_id');
    // nothing was recorded
    expect((await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard`).set(A.admin).expect(200)).body.items).toEqual([]);
  });

  it('the leaderboard on a hand-computed example: wins, difference, points for; ties share a rank; per venue; a rebuild gives the same', async () => {
    const v1 = V1.tenant_id;
    const v2 = V2.tenant_id;
    const [p1, p2, p3, p4, p5, p6] = P as [string, string, string, string, string, string];
    const games: Array<[Auth, object]> = [
      [staff1, result(v1, p1, 13, 5)],
      [V2.admin, result(v2, p1, 13, 11)], // p1: 2 wins, 26-16, +10
      [staff1, result(v1, p2, 13, 7)],
      [V2.admin, result(v2, p2, 13, 9)], // p2: 2 wins, 26-16, +10 -> shares rank 1 with p1
      [staff1, result(v1, p3, 13, 0)],
      [V2.admin, result(v2, p3, 6, 13)], // p3: 1 win, 19-13, +6
      [V2.admin, result(v2, p4, 13, 7)],
      [staff1, result(v1, p4, 7, 13)], // p4: 1 win, 20-20, 0
      [staff1, result(v1, p5, 12, 13)], // p5: 0 wins, -1, 12 for
      [staff1, result(v1, p6, 1, 2)], // p6: 0 wins, -1, 1 for -> behind p5 on points for
    ];
    for (const [auth, body] of games) await record(auth, body).expect(201);
    const board = async (q = '') =>
      (await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard${q}`).set(A.admin).expect(200)).body;
    const all = await board();
    const ranked = all.items.map((i: { rank: number; player_user_id: string; wins: number; point_diff: number; points_for: number }) => [
      i.rank,
      P.indexOf(i.player_user_id) + 1,
      i.wins,
      i.point_diff,
      i.points_for,
    ]);
    // p1 and p2 are equal on every key: same rank, order between them by id
    expect(ranked.slice(0, 2).map((r: number[]) => r[0])).toEqual([1, 1]);
    expect(
      ranked
        .slice(0, 2)
        .map((r: number[]) => r[1])
        .sort(),
    ).toEqual([1, 2]);
    expect(ranked.slice(2)).toEqual([
      [3, 3, 1, 6, 19],
      [4, 4, 1, 0, 20],
      [5, 5, 0, -1, 12],
      [6, 6, 0, -1, 1],
    ]);
    // results played at V1 only: p3 13-0, p1 13-5, p2 13-7, p5 12-13, p6 1-2, p4 7-13
    const atV1 = await board(`?venue_id=${v1}`);
    expect(atV1.items.map((i: { rank: number; player_user_id: string }) => [i.rank, P.indexOf(i.player_user_id) + 1])).toEqual([
      [1, 3],
      [2, 1],
      [3, 2],
      [4, 5],
      [5, 6],
      [6, 4],
    ]);
    // pages keep the ranks (rank 1 shared across the page boundary)
    const first = await board('?limit=1');
    const second = (
      await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard?limit=1&cursor=${first.next_cursor}`).set(A.admin).expect(200)
    ).body;
    expect([first.items[0].rank, second.items[0].rank]).toEqual([1, 1]);
    // venue staff of a league venue read it from their venue session
    expect((await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard`).set(staff1).expect(200)).body.items).toEqual(all.items);
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard`).set(V4.admin), 403, 'tenant_context_mismatch');

    await t.app.get(ProjectionEngine).rebuild('chain_league_standings');
    await t.settle();
    expect(await board()).toEqual(all);
    expect(await board(`?venue_id=${v1}`)).toEqual(atV1);
  });

  it('a venue that left the chain records no more results', async () => {
    await t.http.delete(`/chain/${A.tenant_id}/venues/${V2.tenant_id}`).set(A.admin).expect(200);
    expectProblem(await record(V2.admin, result(V2.tenant_id, P[0]!, 13, 5)), 409, 'venue_not_active_member');
  });

  it('a CLUB tenant is refused every league route: 403 tenant_type_not_eligible', async () => {
    const routes = [
      t.http.post(`/chain/${A.tenant_id}/leagues`).send({}),
      t.http.get(`/chain/${A.tenant_id}/leagues`),
      t.http.post(`/chain/${A.tenant_id}/leagues/${league}/results`).send({}),
      t.http.get(`/chain/${A.tenant_id}/leagues/${league}/leaderboard`),
    ];
    for (const r of routes) expectProblem(await r.set(club.admin), 403, 'tenant_type_not_eligible');
  });
});
