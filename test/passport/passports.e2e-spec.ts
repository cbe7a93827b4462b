import { readOutbox } from '../support/outbox.js';
import { expectProblem } from '../support/test-app.js';
import { award, checkIn, createPassport, person, qrToken, relogin, world, type Player, type World } from './support.js';

describe('chain passports: creation, QR check-in, points, tiers, ban and override (F02.09.07-.08, e2e)', () => {
  let w: World;
  let p1: Player, p2: Player, p3: Player;
  let id1: string, id2: string, id3: string;
  let tok1: string, tok2: string, tok3: string;

  beforeAll(async () => {
    w = await world('PASSA', 'PASSB');
    p1 = await person(w.t, w.A, 'p1@players.test', ['member'], 'Ada Boule');
    p2 = await person(w.t, w.V1, 'p2@players.test', ['member'], 'Bo Carreau');
    p3 = await person(w.t, w.B, 'p3@players.test', ['member'], 'Cy Tireur');
  });
  afterAll(() => w.t.close());

  it('a player creates one passport per chain, numbered CODE-PASS-NNNNNN; a second is 409 passport_exists', async () => {
    const { t, A, B } = w;
    const res = await t.http.post('/chain/passports').set(p1.auth).send({ chain_id: A.tenant_id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      passport_id: 'PASSA-PASS-000001',
      number: 1,
      chain_id: A.tenant_id,
      user_id: p1.user_id,
      display_name: 'Ada Boule',
      status: 'ACTIVE',
      tier: 'REGULAR',
      total_points: 0,
      total_games: 0,
    });
    id1 = res.body.passport_id;
    expectProblem(await t.http.post('/chain/passports').set(p1.auth).send({ chain_id: A.tenant_id }), 409, 'passport_exists');
    // a player of a member venue (signed in to V1) joins the same chain's numbering
    id2 = await createPassport(t, p2, A.tenant_id, 'Bo C.');
    expect(id2).toBe('PASSA-PASS-000002');
    id3 = await createPassport(t, p3, B.tenant_id);
    expect(id3).toBe('PASSB-PASS-000001');
    // a chain the session is not in: p1 (signed in to chain A) cannot create in chain B
    expectProblem(await t.http.post('/chain/passports').set(p1.auth).send({ chain_id: B.tenant_id }), 403, 'tenant_context_mismatch');
    const me = await t.http.get(`/chain/passports/me?chain_id=${A.tenant_id}`).set(p2.auth).expect(200);
    expect(me.body).toMatchObject({ passport_id: id2, display_name: 'Bo C.' });
    expectProblem(await t.http.get(`/chain/passports/me?chain_id=${A.tenant_id}`).set(w.staff1.auth), 404, 'passport_not_found');
  });

  it("the QR token is the owner's, server-signed; a forged token or another passport's token is refused", async () => {
    const { t, V1, staff1 } = w;
    const qr = await t.http.get(`/chain/passports/${id1}/qr`).set(p1.auth).expect(200);
    expect(qr.body.qr_svg).toMatch(/^<svg/);
    tok1 = qr.body.qr_token;
    tok2 = await qrToken(t, p2, id2);
    tok3 = await qrToken(t, p3, id3);
    expect(tok1).not.toBe(tok2);
    // only the owner gets the QR
    expectProblem(await t.http.get(`/chain/passports/${id1}/qr`).set(p2.auth), 404, 'passport_not_found');
    expectProblem(await t.http.get(`/chain/passports/${id1}/qr`).set(staff1.auth), 404, 'passport_not_found');
    const mac = tok1.split('.')[2]!;
    const forged = `PLP1.${id1}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`;
    expectProblem(await checkIn(t, staff1.auth, id1, V1.tenant_id, forged), 403, 'qr_token_invalid');
    expectProblem(await checkIn(t, staff1.auth, id1, V1.tenant_id, tok2), 403, 'qr_token_invalid');
    expectProblem(await checkIn(t, staff1.auth, id1, V1.tenant_id, `PLP1.${id2}.${tok2.split('.')[2]}`), 403, 'qr_token_invalid');
    expectProblem(await checkIn(t, staff1.auth, id1, V1.tenant_id, 'nonsense'), 403, 'qr_token_invalid');
  });

  it('check-in at two venues: a visit, total_games + 1; a second scan within 10 minutes at the same venue is the same visit', async () => {
    const { t, V1, V2, staff1 } = w;
    const first = await checkIn(t, staff1.auth, id1, V1.tenant_id, tok1);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'check_in', venue_id: V1.tenant_id, duplicate: false, points_earned: 10 });
    expect(first.body.passport).toMatchObject({ total_games: 1, total_points: 10 });
    t.clock.advance(9 * 60_000);
    const again = await checkIn(t, staff1.auth, id1, V1.tenant_id, tok1);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ visit_id: first.body.visit_id, duplicate: true });
    expect(again.body.passport).toMatchObject({ total_games: 1, total_points: 10 });
    // another venue at once is another visit
    const v2 = await checkIn(t, V2.admin, id1, V2.tenant_id, tok1);
    expect(v2.status).toBe(201);
    expect(v2.body.passport.total_games).toBe(2);
    t.clock.advance(61_000); // 10 minutes and a second after the first scan
    await relogin(t);
    const later = await checkIn(t, staff1.auth, id1, V1.tenant_id, tok1);
    expect(later.status).toBe(201);
    expect(later.body.visit_id).not.toBe(first.body.visit_id);
    expect(later.body.passport).toMatchObject({ total_games: 3, total_points: 30 });
    const visits = await t.http.get(`/chain/passports/${id1}/visits`).set(p1.auth).expect(200);
    expect(visits.body.items.map((v: { venue_id: string }) => v.venue_id)).toEqual([V1.tenant_id, V2.tenant_id, V1.tenant_id]);
  });

  it('staff award points: a visit with points_earned; reaching GOLD is a tier change the player is e-mailed about', async () => {
    const { t, V1, staff1 } = w;
    const before = readOutbox(t.dataDir).filter((m) => m.securityEvent === 'passport.tier_changed').length;
    const a = await award(t, staff1.auth, id1, V1.tenant_id, 400);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ kind: 'points', points_earned: 400 });
    expect(a.body.passport).toMatchObject({ total_points: 430, total_games: 3, tier: 'REGULAR', points_to_next_tier: 70 });
    const b = await award(t, staff1.auth, id1, V1.tenant_id, 70, 'league final');
    expect(b.body.passport).toMatchObject({ total_points: 500, tier: 'GOLD', points_tier: 'GOLD', next_points_tier: 'PLATINUM' });
    await t.settle();
    const mails = readOutbox(t.dataDir).filter((m) => m.securityEvent === 'passport.tier_changed');
    expect(mails.length).toBe(before + 1);
    expect(mails[mails.length - 1]!.to).toContain('p1@players.test');
    expect(mails[mails.length - 1]!.raw).toContain('GOLD');
    // the player's own event list shows it
    const events = await t.http.get('/auth/security-events').set(p1.auth).expect(200);
    expect(JSON.stringify(events.body)).toContain('passport.tier_changed');
    const other = await t.http.get('/auth/security-events').set(p2.auth).expect(200);
    expect(JSON.stringify(other.body)).not.toContain('passport.tier_changed');
  });

  it('a banned passport is refused at check-in (403 passport_banned) until unbanned; only the chain admin bans', async () => {
    const { t, A, V1, staff1 } = w;
    expectProblem(
      await t.http.put(`/chain/passports/${id1}`).set(staff1.auth).send({ banned: true, ban_reason: 'cheating' }),
      403,
      'chain_admin_required',
    );
    expectProblem(await t.http.put(`/chain/passports/${id1}`).set(p1.auth).send({ banned: false }), 403, 'chain_admin_required');
    const ban = await t.http.put(`/chain/passports/${id1}`).set(A.admin).send({ banned: true, ban_reason: 'cheating at V1' }).expect(200);
    expect(ban.body).toMatchObject({ status: 'BANNED', ban_reason: 'cheating at V1' });
    t.clock.advance(11 * 60_000);
    await relogin(t);
    expectProblem(await checkIn(t, staff1.auth, id1, V1.tenant_id, tok1), 403, 'passport_banned');
    expectProblem(await award(t, staff1.auth, id1, V1.tenant_id, 5), 403, 'passport_banned');
    await t.http.put(`/chain/passports/${id1}`).set(A.admin).send({ banned: false }).expect(200);
    const ok = await checkIn(t, staff1.auth, id1, V1.tenant_id, tok1);
    expect(ok.status).toBe(201);
    expect(ok.body.passport).toMatchObject({ status: 'ACTIVE', total_games: 4 });
  });

  it('a tier override with an expiry: shown until then, the reached tier after', async () => {
    const { t, A } = w;
    const until = new Date(t.clock.now().getTime() + 24 * 3600_000).toISOString();
    expectProblem(await t.http.put(`/chain/passports/${id1}`).set(A.admin).send({ tier_override: 'PLATINUM' }), 400, 'validation_failed');
    const o = await t.http
      .put(`/chain/passports/${id1}`)
      .set(A.admin)
      .send({ tier_override: 'PLATINUM', tier_override_reason: 'ambassador of the month', tier_override_until: until })
      .expect(200);
    expect(o.body).toMatchObject({ tier: 'PLATINUM', points_tier: 'GOLD', tier_override: { tier: 'PLATINUM', until } });
    t.clock.advance(24 * 3600_000 + 1000);
    await relogin(t);
    const after = await t.http.get(`/chain/passports/${id1}`).set(p1.auth).expect(200);
    expect(after.body).toMatchObject({ tier: 'GOLD', tier_override: null });
    // the owner changes the profile, not the admin
    expectProblem(await t.http.put(`/chain/passports/${id1}`).set(A.admin).send({ display_name: 'X' }), 403, 'passport_owner_required');
    const named = await t.http.put(`/chain/passports/${id1}`).set(p1.auth).send({ display_name: 'Ada B.' }).expect(200);
    expect(named.body.display_name).toBe('Ada B.');
  });

  it("another chain's passport, and staff of a venue outside the chain, are refused", async () => {
    const { t, A, B, V1, V2, V3, V4, staff1, member1 } = w;
    // staff of chain A's venue scanning chain B's passport (a valid token)
    expectProblem(await checkIn(t, staff1.auth, id3, V1.tenant_id, tok3), 403, 'venue_not_in_chain');
    // staff of chain B's venue, and of a venue in no chain, scanning chain A's passport
    expectProblem(await checkIn(t, V3.admin, id1, V3.tenant_id, tok1), 403, 'venue_not_in_chain');
    expectProblem(await checkIn(t, V4.admin, id1, V4.tenant_id, tok1), 403, 'venue_not_in_chain');
    expectProblem(await award(t, V4.admin, id1, V4.tenant_id, 10), 403, 'venue_not_in_chain');
    // staff of V1 naming V2, and a plain member of V1
    expectProblem(await checkIn(t, staff1.auth, id1, V2.tenant_id, tok1), 403, 'tenant_context_mismatch');
    expectProblem(await checkIn(t, member1.auth, id1, V1.tenant_id, tok1), 403, 'tenant_admin_required');
    // players cannot scan themselves
    expectProblem(await checkIn(t, p1.auth, id1, V1.tenant_id, tok1), 403, 'tenant_context_mismatch');
    expectProblem(await checkIn(t, p1.auth, id1, A.tenant_id, tok1), 403, 'tenant_admin_required');
    // chain B's admin does not see chain A's passports
    expectProblem(await t.http.get(`/chain/passports/${id1}`).set(B.admin), 404, 'passport_not_found');
    expectProblem(await t.http.get(`/chain/passports/${id1}/visits`).set(B.admin), 404, 'passport_not_found');
    expectProblem(await t.http.get(`/chain/passports/${id1}`).set(p3.auth), 404, 'passport_not_found');
    expectProblem(
      await t.http.put(`/chain/passports/${id1}`).set(B.admin).send({ banned: true, ban_reason: 'nope' }),
      404,
      'passport_not_found',
    );
    // another player of the chain does not see p1's passport; its admin and staff do
    expectProblem(await t.http.get(`/chain/passports/${id1}`).set(p2.auth), 404, 'passport_not_found');
    await t.http.get(`/chain/passports/${id1}`).set(A.admin).expect(200);
    await t.http.get(`/chain/passports/${id1}`).set(staff1.auth).expect(200);
    // a tenant without F02.09 is stopped by the tier gate
    expectProblem(await t.http.get(`/chain/passports/${id1}`).set(w.club.admin), 403, 'tenant_type_not_eligible');
  });
});
