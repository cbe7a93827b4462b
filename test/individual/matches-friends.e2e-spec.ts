import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { CASUAL_MATCH_EXPIRY_JOB } from '../../src/individual/individual.jobs.js';
import { BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator } from '../tier/support.js';
import { signUp, type Player } from './support.js';

describe('individual players: casual matches, friends, premium gate (F02.08.02-.04, e2e)', () => {
  let t: TestApp;
  let ana: Player;
  let bo: Player;
  let cy: Player;
  const played = () => new Date(t.clock.now().getTime() - 3600_000).toISOString();
  const record = (p: Player, opponent: Player | string, score = { me: 13, opponent: 7 }, played_at = played()) =>
    t.http
      .post('/me/casual-matches')
      .set(p.auth)
      .send({ opponent_user_id: typeof opponent === 'string' ? opponent : opponent.user_id, played_at, score });
  const refresh = async (p: Player) => {
    p.auth = (await login(t, p.email, 'boule in the park 2026', { tenantId: p.tenant_id })).auth;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    [ana, bo, cy] = [await signUp(t, 'ana'), await signUp(t, 'bo'), await signUp(t, 'cy')];
  });
  afterAll(() => t.close());

  it('a match is recorded for both players; only the opponent verifies it, once; others get 404', async () => {
    const m = await record(ana, bo).expect(201);
    expect(m.body).toMatchObject({ opponent_user_id: bo.user_id, role: 'creator', score: { me: 13, opponent: 7 }, status: 'PENDING' });
    const seen = (await t.http.get('/me/casual-matches').set(bo.auth).expect(200)).body.items;
    expect(seen[0]).toMatchObject({ id: m.body.id, opponent_user_id: ana.user_id, role: 'opponent', score: { me: 7, opponent: 13 } });
    expectProblem(
      await t.http.post(`/me/casual-matches/${m.body.id}/verify`).set(ana.auth).send({ decision: 'confirm' }),
      403,
      'not_the_opponent',
    );
    expectProblem(
      await t.http.post(`/me/casual-matches/${m.body.id}/verify`).set(cy.auth).send({ decision: 'confirm' }),
      404,
      'casual_match_not_found',
    );
    expect((await t.http.get('/me/casual-matches').set(cy.auth).expect(200)).body.items).toEqual([]);
    expect(
      (await t.http.post(`/me/casual-matches/${m.body.id}/verify`).set(bo.auth).send({ decision: 'confirm' }).expect(200)).body.status,
    ).toBe('CONFIRMED');
    expectProblem(
      await t.http.post(`/me/casual-matches/${m.body.id}/verify`).set(bo.auth).send({ decision: 'dispute' }),
      409,
      'casual_match_already_answered',
    );
    const d = await record(bo, ana, { me: 5, opponent: 13 }).expect(201);
    expect(
      (await t.http.post(`/me/casual-matches/${d.body.id}/verify`).set(ana.auth).send({ decision: 'dispute' }).expect(200)).body.status,
    ).toBe('DISPUTED');
    expect((await t.http.get('/me/casual-matches?status=DISPUTED').set(ana.auth)).body.items.map((x: { id: string }) => x.id)).toEqual([
      d.body.id,
    ]);
  });

  it('a match nobody answers expires after 7 days (the job, on the clock)', async () => {
    const m = await record(cy, bo).expect(201);
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    t.clock.advance(7 * 86_400_000 - 1000);
    await queue.enqueue(CASUAL_MATCH_EXPIRY_JOB, {}, { jobId: 'early' });
    await t.settle();
    await refresh(cy);
    await refresh(bo);
    expect((await t.http.get('/me/casual-matches?status=PENDING').set(cy.auth)).body.items.map((x: { id: string }) => x.id)).toContain(
      m.body.id,
    );
    t.clock.advance(1000);
    await queue.enqueue(CASUAL_MATCH_EXPIRY_JOB, {}, { jobId: 'late' });
    await t.settle();
    expect((await t.http.get('/me/casual-matches?status=EXPIRED').set(cy.auth)).body.items.map((x: { id: string }) => x.id)).toEqual([
      m.body.id,
    ]);
    expectProblem(
      await t.http.post(`/me/casual-matches/${m.body.id}/verify`).set(bo.auth).send({ decision: 'confirm' }),
      409,
      'casual_match_already_answered',
    );
    await refresh(ana);
  });

  it('friends: request, accept only by the addressee, lists by status and direction, unfriend; requests expire after 30 days', async () => {
    const r = await t.http.post('/me/friends/request').set(ana.auth).send({ user_id: bo.user_id }).expect(201);
    expect(r.body).toMatchObject({ user_id: bo.user_id, status: 'PENDING', direction: 'outgoing' });
    expect(
      (await t.http.get('/me/friends?status=PENDING&direction=incoming').set(bo.auth)).body.items.map(
        (x: { user_id: string }) => x.user_id,
      ),
    ).toEqual([ana.user_id]);
    expect((await t.http.get('/me/friends?status=PENDING&direction=incoming').set(ana.auth)).body.items).toEqual([]);
    expectProblem(await t.http.post(`/me/friends/${bo.user_id}/accept`).set(ana.auth), 404, 'friend_request_not_found');
    expectProblem(await t.http.post('/me/friends/request').set(bo.auth).send({ user_id: ana.user_id }), 409, 'friend_request_exists');
    expect((await t.http.post(`/me/friends/${ana.user_id}/accept`).set(bo.auth).expect(200)).body.status).toBe('ACCEPTED');
    expect((await t.http.get('/me/friends?status=ACCEPTED').set(ana.auth)).body.items.map((x: { user_id: string }) => x.user_id)).toEqual([
      bo.user_id,
    ]);
    await t.http.delete(`/me/friends/${bo.user_id}`).set(ana.auth).expect(200);
    expect((await t.http.get('/me/friends').set(bo.auth)).body.items).toEqual([]);

    await t.http.post('/me/friends/request').set(cy.auth).send({ user_id: ana.user_id }).expect(201);
    t.clock.advance(30 * 86_400_000);
    for (const p of [ana, bo, cy]) await refresh(p);
    expect((await t.http.get('/me/friends?status=PENDING').set(ana.auth)).body.items).toEqual([]);
    expectProblem(await t.http.post(`/me/friends/${cy.user_id}/accept`).set(ana.auth), 404, 'friend_request_not_found');
    await t.http.post('/me/friends/request').set(cy.auth).send({ user_id: ana.user_id }).expect(201); // may ask again
  });

  it('a block cancels pending requests and matches; the blocked player can neither request nor record, and does not see the profile', async () => {
    const dee = await signUp(t, 'dee');
    await t.http.patch('/me/individual-context').set(dee.auth).send({ privacy_public_profile: true }).expect(200);
    await t.http.get(`/players/${dee.user_id}`).set(bo.auth).expect(200);
    const pending = await record(bo, dee).expect(201);
    await t.http.post('/me/friends/request').set(bo.auth).send({ user_id: dee.user_id }).expect(201);
    expect((await t.http.post(`/me/friends/${bo.user_id}/block`).set(dee.auth).expect(200)).body).toMatchObject({ status: 'BLOCKED' });
    expect(
      (await t.http.get('/me/casual-matches').set(bo.auth)).body.items.find((x: { id: string }) => x.id === pending.body.id).status,
    ).toBe('CANCELLED');
    expect((await t.http.get('/me/friends').set(bo.auth)).body.items).toEqual([]); // the blocked side sees nothing
    expect((await t.http.get('/me/friends?status=BLOCKED').set(dee.auth)).body.items.map((x: { user_id: string }) => x.user_id)).toEqual([
      bo.user_id,
    ]);
    expectProblem(await t.http.post('/me/friends/request').set(bo.auth).send({ user_id: dee.user_id }), 404, 'player_not_found');
    expectProblem(await record(bo, dee), 404, 'player_not_found');
    expectProblem(await record(dee, bo), 409, 'player_blocked');
    expectProblem(await t.http.delete(`/me/friends/${dee.user_id}`).set(bo.auth), 404, 'friendship_not_found'); // only the blocker unblocks
    expectProblem(await t.http.get(`/players/${dee.user_id}`).set(bo.auth), 404, 'player_not_found');
    await t.http.delete(`/me/friends/${bo.user_id}`).set(dee.auth).expect(200);
    await record(bo, dee).expect(201);
  });

  it('FREE: the 50th match of a month succeeds, the 51st is 402 with the exact body; the first of the next month succeeds; 50 parallel at 49 -> one', async () => {
    t.clock.set('2026-05-20T10:00:00.000Z');
    const eve = await signUp(t, 'eve');
    const fay = await signUp(t, 'fay');
    for (let i = 1; i <= 49; i++) await record(eve, fay).expect(201);
    const burst = await Promise.all(Array.from({ length: 50 }, () => record(eve, fay)));
    expect(burst.filter((r) => r.status === 201)).toHaveLength(1);
    expect(burst.filter((r) => r.status === 402)).toHaveLength(49);
    const res = await record(eve, fay);
    expectProblem(res, 402, 'premium_required');
    expect(res.body).toEqual({
      type: 'https://petanque.life/problems/premium-required',
      title: 'Payment Required',
      status: 402,
      detail: 'FREE players may record 50 casual matches per calendar month (UTC); upgrade to premium for more.',
      error_code: 'premium_required',
      limit: 50,
      used: 50,
      resets_at: '2026-06-01T00:00:00.000Z',
    });
    t.clock.set('2026-06-01T00:00:00.000Z');
    await refresh(eve);
    await record(eve, fay, undefined, '2026-05-31T23:00:00.000Z').expect(201);
  });

  it('a premium player has no limit; premium ends 7 days after premium_valid_until (grace)', async () => {
    t.clock.set('2026-07-10T10:00:00.000Z');
    const gus = await signUp(t, 'gus');
    const hal = await signUp(t, 'hal');
    const up = (await t.http.post('/me/subscription/upgrade-dev').set(gus.auth).expect(200)).body;
    expect(up).toEqual({
      subscription_tier: 'PREMIUM',
      premium_valid_until: '2026-08-09T10:00:00.000Z',
      premium_active: true,
      grace_until: null,
      cancelled: false,
    });
    for (let i = 1; i <= 55; i++) await record(gus, hal).expect(201);
    t.clock.set('2026-08-09T10:00:00.000Z'); // paid period over: grace
    await refresh(gus);
    expect((await t.http.get('/me/subscription').set(gus.auth)).body).toEqual({
      subscription_tier: 'PREMIUM',
      premium_valid_until: '2026-08-09T10:00:00.000Z',
      premium_active: true,
      grace_until: '2026-08-16T10:00:00.000Z',
      cancelled: false,
    });
    t.clock.set('2026-08-16T09:59:59.999Z');
    await refresh(gus);
    expect((await t.http.get('/me/subscription').set(gus.auth)).body.premium_active).toBe(true);
    t.clock.set('2026-08-16T10:00:00.000Z');
    expect((await t.http.get('/me/subscription').set(gus.auth)).body.premium_active).toBe(false);
  });

  it("gate: a CLUB tenant's user is refused every F02.08 endpoint with 403 tenant_type_not_eligible", async () => {
    const op = await rootOperator(t);
    const club = await createTenant(t, op.auth, 'CLUB');
    for (const [method, path] of [
      ['get', '/me/casual-matches'],
      ['post', '/me/casual-matches'],
      ['get', '/me/friends'],
      ['post', '/me/friends/request'],
      ['post', `/me/friends/${ana.user_id}/block`],
      ['delete', `/me/friends/${ana.user_id}`],
      ['get', '/me/subscription'],
      ['post', '/me/subscription/upgrade-dev'],
      ['get', '/me/individual-context'],
      ['get', `/players/${ana.user_id}`],
    ] as const) {
      const res = await t.http[method](path).set(club.admin).send({});
      expectProblem(res, 403, 'tenant_type_not_eligible');
      expect(res.body).toMatchObject({ subsystem: 'F02.08', tenant_type: 'CLUB' });
    }
  });

  it('bad input: 400 naming the field; unknown or other people’s matches: 404', async () => {
    await refresh(ana);
    await refresh(bo);
    const now = t.clock.now().getTime();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ score: { me: 13, opponent: 13 } }, 'score'],
      [{ score: { me: 12, opponent: 11 } }, 'score'],
      [{ score: { me: 14, opponent: 0 } }, 'score'],
      [{ score: { me: -1, opponent: 13 } }, 'score'],
      [{ score: { me: 13.5, opponent: 2 } }, 'score'],
      [{ score: 'thirteen' }, 'score'],
      [{ played_at: new Date(now + 60_000).toISOString() }, 'played_at'],
      [{ played_at: new Date(now - 31 * 86_400_000).toISOString() }, 'played_at'],
      [{ played_at: 'yesterday' }, 'played_at'],
      [{ opponent_user_id: 'bo' }, 'opponent_user_id'],
      [{ opponent_user_id: ana.user_id }, 'opponent_user_id'],
      [{ extra: true }, 'extra'],
    ];
    for (const [patch, field] of cases) {
      const res = await t.http
        .post('/me/casual-matches')
        .set(ana.auth)
        .send({ opponent_user_id: bo.user_id, played_at: played(), score: { me: 13, opponent: 4 }, ...patch });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.detail).toContain(field);
    }
    expectProblem(await record(ana, '00000000-0000-4000-8000-000000000000'), 404, 'player_not_found');
    expectProblem(
      await t.http.post('/me/casual-matches/00000000-0000-4000-8000-000000000000/verify').set(ana.auth).send({ decision: 'confirm' }),
      404,
      'casual_match_not_found',
    );
    expectProblem(
      await t.http.post('/me/casual-matches/nope/verify').set(ana.auth).send({ decision: 'confirm' }),
      404,
      'casual_match_not_found',
    );
    const m = await record(ana, bo).expect(201);
    const bad = await t.http.post(`/me/casual-matches/${m.body.id}/verify`).set(bo.auth).send({ decision: 'maybe' });
    expectProblem(bad, 400, 'validation_failed');
    expect(bad.body.detail).toContain('decision');
    for (const [q, field] of [
      ['/me/casual-matches?status=LOST', 'status'],
      ['/me/friends?status=FOES', 'status'],
      ['/me/friends?direction=sideways', 'direction'],
    ]) {
      const res = await t.http.get(q!).set(ana.auth);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.detail).toContain(field);
    }
    expectProblem(await t.http.post('/me/friends/request').set(ana.auth).send({ user_id: ana.user_id }), 400, 'validation_failed');
    expectProblem(await t.http.post('/me/friends/request').set(ana.auth).send({ user_id: 'x' }), 400, 'validation_failed');
    expectProblem(await t.http.post('/me/friends/not-a-uuid/accept').set(ana.auth), 404, 'player_not_found');
  });
});
