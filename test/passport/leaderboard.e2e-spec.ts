import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { expectProblem } from '../support/test-app.js';
import { award, checkIn, createPassport, person, qrToken, relogin, world, type Player, type World } from './support.js';

interface Item {
  rank: number;
  passport_id: string;
  display_name: string;
  tier: string;
  points: number;
  visits: number;
}

describe('chain leaderboard by period and venue from its projection (F02.09.09, e2e)', () => {
  let w: World;
  const L: Player[] = [];
  const id: string[] = [];
  const tok: string[] = [];

  beforeAll(async () => {
    w = await world('LBA', 'LBB');
    const { t, A } = w;
    for (const n of ['Lia', 'Max', 'Noa', 'Oli']) L.push(await person(t, A, `${n.toLowerCase()}@leaderboard.test`, ['member'], n));
    await t.http
      .put(`/chain/${A.tenant_id}/passport-settings`)
      .set(A.admin)
      .send({ gold_points: 100, platinum_points: 300, check_in_points: 5 })
      .expect(200);
    t.clock.set('2025-12-20T18:00:00.000Z');
    await relogin(t);
    for (const p of L) id.push(await createPassport(t, p, A.tenant_id));
    for (let i = 0; i < L.length; i++) tok.push(await qrToken(t, L[i]!, id[i]!));
  }, 120_000);
  afterAll(() => w.t.close());

  const board = async (query: string, auth = L[1]!.auth) => {
    const res = await w.t.http.get(`/chain/leaderboard?chain_id=${w.A.tenant_id}${query}`).set(auth);
    expect(res.status).toBe(200);
    return res.body as { items: Item[]; next_cursor: string | null; period_key: string };
  };
  const ranking = (b: { items: Item[] }) => b.items.map((i) => [i.display_name, i.rank, i.points]);

  it('a hand-computed example: all time, this year, this month, and per venue', async () => {
    const { t, V1, V2, staff1 } = w;
    // 2025-12-20: Oli +100 at V1
    await award(t, staff1.auth, id[3]!, V1.tenant_id, 100).expect(201);
    // 2026-01-15: Lia +50 at V1; Max checks in at V1 (+5) and gets +20 at V2
    t.clock.set('2026-01-15T18:00:00.000Z');
    await relogin(t);
    await award(t, staff1.auth, id[0]!, V1.tenant_id, 50).expect(201);
    await checkIn(t, staff1.auth, id[1]!, V1.tenant_id, tok[1]!).expect(201);
    await award(t, V2.admin, id[1]!, V2.tenant_id, 20).expect(201);
    // 2026-03-02: Noa +40 at V2; Lia checks in at V2 (+5); Oli checks in at V1 (+5)
    t.clock.set('2026-03-02T18:00:00.000Z');
    await relogin(t);
    await award(t, V2.admin, id[2]!, V2.tenant_id, 40).expect(201);
    await checkIn(t, V2.admin, id[0]!, V2.tenant_id, tok[0]!).expect(201);
    await checkIn(t, staff1.auth, id[3]!, V1.tenant_id, tok[3]!).expect(201);

    const all = await board('');
    expect(ranking(all)).toEqual([
      ['Oli', 1, 105],
      ['Lia', 2, 55],
      ['Noa', 3, 40],
      ['Max', 4, 25],
    ]);
    expect(all.items[0]).toMatchObject({ passport_id: id[3], tier: 'GOLD', visits: 1 });
    expect(all.items[1]).toMatchObject({ tier: 'REGULAR' });
    expect(ranking(await board('&period=year'))).toEqual([
      ['Lia', 1, 55],
      ['Noa', 2, 40],
      ['Max', 3, 25],
      ['Oli', 4, 5],
    ]);
    const month = await board('&period=month');
    expect(month.period_key).toBe('M2026-03');
    // Lia and Oli tie (5 points, 1 visit): one rank, the next would skip
    expect(ranking(month)).toEqual([
      ['Noa', 1, 40],
      ['Lia', 2, 5],
      ['Oli', 2, 5],
    ]);
    expect(ranking(await board(`&venue_id=${V1.tenant_id}`))).toEqual([
      ['Oli', 1, 105],
      ['Lia', 2, 50],
      ['Max', 3, 5],
    ]);
    expect(ranking(await board(`&venue_id=${V2.tenant_id}&period=month`))).toEqual([
      ['Noa', 1, 40],
      ['Lia', 2, 5],
    ]);
    // pages of 2 keep the ranks
    const p1 = await board('&limit=2');
    expect(ranking(p1)).toEqual([
      ['Oli', 1, 105],
      ['Lia', 2, 55],
    ]);
    expect(ranking(await board(`&limit=2&cursor=${p1.next_cursor}`))).toEqual([
      ['Noa', 3, 40],
      ['Max', 4, 25],
    ]);
  });

  it('banned players are not listed, and come back when unbanned', async () => {
    const { t, A } = w;
    await t.http.put(`/chain/passports/${id[0]}`).set(A.admin).send({ banned: true, ban_reason: 'fake scores' }).expect(200);
    expect(ranking(await board(''))).toEqual([
      ['Oli', 1, 105],
      ['Noa', 2, 40],
      ['Max', 3, 25],
    ]);
    expect(ranking(await board('&period=month'))).toEqual([
      ['Noa', 1, 40],
      ['Oli', 2, 5],
    ]);
    await t.http.put(`/chain/passports/${id[0]}`).set(A.admin).send({ banned: false }).expect(200);
    expect(ranking(await board('')).map((r) => r[0])).toEqual(['Oli', 'Lia', 'Noa', 'Max']);
  });

  it('a rebuild of the projection gives the same boards', async () => {
    const { t, V1 } = w;
    const queries = ['', '&period=year', '&period=month', `&venue_id=${V1.tenant_id}`, `&venue_id=${V1.tenant_id}&period=year`];
    const before = await Promise.all(queries.map((q) => board(q)));
    await t.app.get(ProjectionEngine).rebuild('chain_passport_leaderboard');
    const after = await Promise.all(queries.map((q) => board(q)));
    expect(after.map((b) => b.items)).toEqual(before.map((b) => b.items));
  });

  it('month rollover on the clock: April starts empty while the year keeps counting', async () => {
    const { t, V2 } = w;
    t.clock.set('2026-04-01T00:00:00.000Z');
    await relogin(t);
    const april = await board('&period=month');
    expect(april.period_key).toBe('M2026-04');
    expect(april.items).toEqual([]);
    await checkIn(t, V2.admin, id[1]!, V2.tenant_id, tok[1]!).expect(201);
    expect(ranking(await board('&period=month'))).toEqual([['Max', 1, 5]]);
    expect(ranking(await board('&period=year'))).toEqual([
      ['Lia', 1, 55],
      ['Noa', 2, 40],
      ['Max', 3, 30],
      ['Oli', 4, 5],
    ]);
  });

  it('who may read: players, admins and staff of the chain; not another chain; bad input names the field', async () => {
    const { t, A, B, V3, staff1 } = w;
    await board('', A.admin);
    await board('', staff1.auth);
    expectProblem(await t.http.get(`/chain/leaderboard?chain_id=${A.tenant_id}`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/leaderboard?chain_id=${A.tenant_id}`).set(V3.admin), 403, 'tenant_context_mismatch');
    const bad = async (q: string, field: string) => {
      const res = await t.http.get(`/chain/leaderboard?${q}`).set(A.admin);
      expectProblem(res, 400, 'validation_failed');
      expect(String(res.body.detail)).toContain(field);
    };
    await bad('', 'chain_id');
    await bad(`chain_id=${A.tenant_id}&period=week`, 'period');
    await bad(`chain_id=${A.tenant_id}&venue_id=nope`, 'venue_id');
    await bad(`chain_id=${A.tenant_id}&limit=51`, 'limit');
    expectProblem(await t.http.get(`/chain/leaderboard?chain_id=${A.tenant_id}&cursor=garbage`).set(A.admin), 400);
  });
});
