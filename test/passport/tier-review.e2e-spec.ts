import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { PASSPORT_TIER_REVIEW_JOB } from '../../src/passport/passport-tier-review.js';
import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { readOutbox } from '../support/outbox.js';
import { createPassport, person, qrToken, relogin, world, type Player, type World } from './support.js';
import type { Auth } from '../tier/support.js';

/**
 * Tier drops by time alone: the scheduled review appends the tier change (and so the e-mail) on
 * the day the window or the override runs out, not at the player's next visit; a second run adds
 * nothing, and another player's passport is left alone.
 */
describe('passport tier review job: visit tiers and overrides that run out with time (F02.09.03, .07, e2e)', () => {
  let w: World;
  let p: Player, q: Player;
  let idP: string, idQ: string;
  let tick = 0;

  beforeAll(async () => {
    w = await world('TRA', 'TRB');
    p = await person(w.t, w.A, 'pat@review.test', ['member'], 'Pat');
    q = await person(w.t, w.A, 'quy@review.test', ['member'], 'Quy');
    idP = await createPassport(w.t, p, w.A.tenant_id);
    idQ = await createPassport(w.t, q, w.A.tenant_id);
  }, 120_000);
  afterAll(() => w.t.close());

  const run = async () => {
    await w.t.app.get<JobQueue>(JOB_QUEUE).enqueue(PASSPORT_TIER_REVIEW_JOB, {}, { jobId: `review-${++tick}` });
    await w.t.settle();
  };
  const events = async (who: Player): Promise<Array<Record<string, unknown>>> =>
    (await w.t.app.get<EventStore>(EVENT_STORE).readStream(`passport-${w.A.tenant_id}-${who.user_id}`)).map((e) => ({
      type: e.type,
      ...(e.data as Record<string, unknown>),
    }));
  const tierChanges = async (who: Player) => (await events(who)).filter((e) => e.type === 'PassportTierChanged');
  const mails = (who: Player) =>
    readOutbox(w.t.dataDir).filter((m) => m.securityEvent === 'passport.tier_changed' && m.to.includes(who.email));
  /**
   * Moves the clock; the two players and the other callers the next steps use log in again (their
   * sessions would have run out). Not the whole world: eleven argon2id logins per move made this
   * test miss its 30 s under load.
   */
  const at = async (iso: string, ...others: Array<{ auth: Auth }>) => {
    w.t.clock.set(iso);
    await relogin(
      w.t,
      [p, q, ...others].map((c) => c.auth),
    );
  };
  const visit = async (who: Player, id: string, iso: string) => {
    await at(iso, w.staff1);
    const tok = await qrToken(w.t, who, id);
    await w.t.http
      .post(`/chain/${w.A.tenant_id}/passport/${who.user_id}/visit`)
      .set(w.staff1.auth)
      .send({ venue_id: w.V1.tenant_id, qr_token: tok })
      .expect(201);
    await w.t.settle();
  };

  it('a visit tier that leaves the window is recorded on its drop-out day by the job, for that player only, once', async () => {
    // Pat: five check-ins, the oldest on 2026-01-10 (drops out 2027-01-10); Quy: five from 2026-06-01
    for (const d of ['2026-01-10', '2026-02-10', '2026-03-10', '2026-04-10', '2026-05-10']) await visit(p, idP, `${d}T12:00:00.000Z`);
    for (const d of ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05']) await visit(q, idQ, `${d}T12:00:00.000Z`);
    expect((await tierChanges(p)).map((e) => [e.ladder, e.from, e.to])).toEqual([['visits', null, 'BRONZE']]);
    const view = await w.t.http.get(`/chain/${w.A.tenant_id}/passport/${p.user_id}`).set(p.auth).expect(200);
    expect(view.body).toMatchObject({ visit_tier: 'BRONZE', oldest_visit_drops_out_on: '2027-01-10' });
    const mailsP = mails(p).length;
    const mailsQ = mails(q).length;
    const eventsQ = (await events(q)).length;

    // the day before: still five visits in the window, the job appends nothing
    await at('2027-01-09T23:59:59.000Z');
    await run();
    expect(await tierChanges(p)).toHaveLength(1);

    // the drop-out day: the job records BRONZE -> none by the visits, and Pat is told
    await at('2027-01-10T00:05:00.000Z');
    await run();
    const changes = await tierChanges(p);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toMatchObject({
      passport_id: idP,
      ladder: 'visits',
      from: 'BRONZE',
      to: null,
      cause: 'visits',
      at: '2027-01-10T00:05:00.000Z',
    });
    expect(mails(p)).toHaveLength(mailsP + 1);
    expect(mails(p).at(-1)!.raw).toContain(idP);
    const own = await w.t.http.get('/auth/security-events').set(p.auth).expect(200);
    expect(JSON.stringify(own.body)).toContain('passport.tier_changed');
    // Quy keeps BRONZE until 2027-06-01: no event, no mail
    expect(await events(q)).toHaveLength(eventsQ);
    expect(mails(q)).toHaveLength(mailsQ);
    const doc = await w.t.http.get(`/chain/passports/${idP}`).set(p.auth).expect(200);
    expect(doc.body).toMatchObject({ visits: { visit_tier: null, visits_in_window: 4 } });

    // a second run (and a third, later the same day) appends nothing and mails nobody
    await run();
    await at('2027-01-10T18:00:00.000Z');
    await run();
    expect(await tierChanges(p)).toHaveLength(2);
    expect(mails(p)).toHaveLength(mailsP + 1);

    // Quy's turn comes on his own drop-out day
    await at('2027-06-01T09:00:00.000Z');
    await run();
    expect((await tierChanges(q)).map((e) => [e.from, e.to, e.cause])).toEqual([
      [null, 'BRONZE', 'visits'],
      ['BRONZE', null, 'visits'],
    ]);
    expect(mails(q)).toHaveLength(mailsQ + 1);
    expect(await tierChanges(p)).toHaveLength(2);
  });

  it('an expired tier override is cleared by the job, with the tier change and the mail, once', async () => {
    await at('2027-07-01T10:00:00.000Z', { auth: w.A.admin });
    const until = '2027-07-15T12:00:00.000Z';
    await w.t.http
      .put(`/chain/passports/${idQ}`)
      .set(w.A.admin)
      .send({ tier_override: 'GOLD', tier_override_reason: 'summer ambassador', tier_override_until: until })
      .expect(200);
    await w.t.settle();
    const mailsQ = mails(q).length;
    const eventsP = (await events(p)).length;
    const mailsP = mails(p).length;

    await at('2027-07-15T11:59:00.000Z');
    await run();
    expect((await events(q)).filter((e) => e.type === 'PassportTierOverridden')).toHaveLength(1);

    await at('2027-07-15T12:10:00.000Z');
    await run();
    const overrides = (await events(q)).filter((e) => e.type === 'PassportTierOverridden');
    expect(overrides).toHaveLength(2);
    expect(overrides[1]).toMatchObject({ tier_override: null, until: null, by: 'system:passport-tier-review' });
    expect((await tierChanges(q)).at(-1)).toMatchObject({ ladder: 'points', from: 'GOLD', to: 'REGULAR', cause: 'override' });
    expect(mails(q)).toHaveLength(mailsQ + 1);
    expect(mails(q).at(-1)!.raw).toContain('REGULAR');
    const body = (await w.t.http.get(`/chain/passports/${idQ}`).set(q.auth).expect(200)).body;
    expect(body).toMatchObject({ tier: 'REGULAR', tier_override: null });
    expect(await events(p)).toHaveLength(eventsP);
    expect(mails(p)).toHaveLength(mailsP);

    const n = (await events(q)).length;
    await run();
    expect(await events(q)).toHaveLength(n);
    expect(mails(q)).toHaveLength(mailsQ + 1);
  });
});
