import { dropSchema, freshSchema, PG_URL } from '../support/postgres.js';
import { expectProblem } from '../support/test-app.js';
import { person, world, type Player, type World } from './support.js';

/**
 * On the embedded stores a request's appends do not interleave with another's (better-sqlite3 is
 * synchronous), so the race is real only on PostgreSQL: the suite runs there too whenever
 * DATABASE_URL is set (CI). There, taking the number before the claim, or numbering without the
 * expected-version retry, fails it.
 */
const stores: Array<[string, string | null]> = [
  ['embedded', null],
  ...(PG_URL ? ([['postgresql', PG_URL]] as Array<[string, string]>) : []),
];

describe.each(stores)('chain passports under concurrency on %s: one per player, numbers without gaps (F02.09.07, e2e)', (_kind, pgUrl) => {
  let w: World;
  const players: Player[] = [];
  const schema = freshSchema('passport');

  beforeAll(async () => {
    w = await world('NUMA', 'NUMB', pgUrl ? { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema } : {});
    for (let i = 0; i < 50; i++) players.push(await person(w.t, i % 2 ? w.A : w.V1, `n${i}@numbers.test`));
  }, 180_000);
  afterAll(async () => {
    await w.t.close();
    if (pgUrl) await dropSchema(pgUrl, schema);
  });

  it('50 parallel creations by one player: one passport, 49 x 409 passport_exists, and no number is used up', async () => {
    const { t, A } = w;
    const p = players[0]!;
    const all = await Promise.all(
      Array.from({ length: 50 }, () => t.http.post('/chain/passports').set(p.auth).send({ chain_id: A.tenant_id })),
    );
    const created = all.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    expect(created[0]!.body.passport_id).toBe('NUMA-PASS-000001');
    for (const r of all.filter((x) => x.status !== 201)) expectProblem(r, 409, 'passport_exists');
  });

  it('50 parallel creations by different players: ids 000002..000050 and the next, each once, no gaps', async () => {
    const { t, A, B } = w;
    const all = await Promise.all(players.slice(1).map((p) => t.http.post('/chain/passports').set(p.auth).send({ chain_id: A.tenant_id })));
    for (const r of all) expect(r.status).toBe(201);
    const numbers = all.map((r) => r.body.number as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 49 }, (_, i) => i + 2));
    expect(new Set(all.map((r) => r.body.passport_id)).size).toBe(49);
    for (const r of all) expect(r.body.passport_id).toBe(`NUMA-PASS-${String(r.body.number).padStart(6, '0')}`);
    // the chain's search lists them in number order, each player once
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ user_id: string; passport_id: string }>; next_cursor: string | null } } = await t.http
        .get(`/chain/passports?chain_id=${A.tenant_id}${cursor ? `&cursor=${cursor}` : ''}`)
        .set(A.admin)
        .expect(200);
      seen.push(...page.body.items.map((i) => i.passport_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => `NUMA-PASS-${String(i + 1).padStart(6, '0')}`));
    // chain B's numbering is its own
    const b = await t.http.post('/chain/passports').set(B.admin).send({ chain_id: B.tenant_id }).expect(201);
    expect(b.body.passport_id).toBe('NUMB-PASS-000001');
  });
});
