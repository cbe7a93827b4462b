import { codeOf } from '../../test/support/domain-error.js';
import {
  decideAdminUpdate,
  decideClaim,
  decideCreate,
  decideTimeTiers,
  decideVisit,
  isPassportVisit,
  passportEvolver,
  STALE_CLAIM_MS,
  type PassportEvent,
  type PassportState,
} from './passport.decider.js';
import { effectiveTier, visitTierDropsOn, visitTierView } from './passport-tiers.js';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const TH = { gold_points: 100, platinum_points: 300 };
const given = (events: PassportEvent[]): PassportState => events.reduce(passportEvolver.evolve, passportEvolver.initialState());
const claimed = decideClaim(passportEvolver.initialState(), { chain_id: 'C', user_id: 'U', now: T0 });
const created = decideCreate(given(claimed), { passport_id: 'ABC-PASS-000001', number: 1, display_name: 'Ada', now: T0 });
const passport = given([...claimed, ...created]);
const visit = (s: PassportState, over: Partial<Parameters<typeof decideVisit>[1]> = {}) =>
  decideVisit(s, {
    visit_id: 'v',
    venue_id: 'V1',
    kind: 'check_in',
    points: 10,
    reason: null,
    thresholds: TH,
    by: 'staff',
    now: T0,
    ...over,
  });

describe('passport decider', () => {
  it('given a passport, when the player claims again, then 409 passport_exists; a claim without a passport is taken over after a minute', () => {
    expect(codeOf(() => decideClaim(passport, { chain_id: 'C', user_id: 'U', now: at(1e9) }))).toBe('passport_exists');
    const half = given(claimed);
    expect(codeOf(() => decideClaim(half, { chain_id: 'C', user_id: 'U', now: at(1000) }))).toBe('passport_exists');
    expect(decideClaim(half, { chain_id: 'C', user_id: 'U', now: at(STALE_CLAIM_MS) })[0]!.type).toBe('PassportClaimed');
  });

  it('given a passport, when checked in, then VisitRecorded with the totals; again at the venue within 10 minutes, then nothing', () => {
    const [e] = visit(passport);
    expect(e).toMatchObject({ type: 'VisitRecorded', data: { kind: 'check_in', total_games: 1, total_points: 10, venue_id: 'V1' } });
    const after = given([...claimed, ...created, e!]);
    expect(visit(after, { now: at(10 * 60_000 - 1) })).toEqual([]);
    expect(visit(after, { venue_id: 'V2', now: at(60_000) })).toHaveLength(1);
    expect(visit(after, { now: at(10 * 60_000) })).toHaveLength(1);
  });

  it('given points near GOLD, when staff award points past it, then a points tier change; reached tiers are kept', () => {
    const out = visit(passport, { kind: 'points', points: 120 });
    expect(out.map((e) => e.type)).toEqual(['VisitRecorded', 'PassportTierChanged']);
    expect(out[1]!.data).toMatchObject({ ladder: 'points', from: 'REGULAR', to: 'GOLD', cause: 'points' });
    expect(out[0]!.data).toMatchObject({ total_games: 0, total_points: 120 });
    const gold = given([...claimed, ...created, ...out]);
    // thresholds raised later: GOLD stays
    expect(visit(gold, { kind: 'points', points: 1, thresholds: { gold_points: 1000, platinum_points: 2000 } }).map((e) => e.type)).toEqual(
      ['VisitRecorded'],
    );
  });

  it('given a banned passport, when checked in, then 403 passport_banned', () => {
    const banned = given([
      ...claimed,
      ...created,
      ...decideAdminUpdate(passport, { ban: { banned: true, reason: 'x' }, by: 'a', now: T0 }),
    ]);
    expect(codeOf(() => visit(banned))).toBe('passport_banned');
  });

  it('given an override until tomorrow, then it is the shown tier until then and a tier change event says so', () => {
    const until = at(86_400_000).toISOString();
    const out = decideAdminUpdate(passport, { override: { tier: 'PLATINUM', reason: 'ambassador', until }, by: 'a', now: T0 });
    expect(out.map((e) => e.type)).toEqual(['PassportTierOverridden', 'PassportTierChanged']);
    const s = given([...claimed, ...created, ...out]);
    expect(effectiveTier(s.points_tier, s.override, at(86_400_000 - 1))).toBe('PLATINUM');
    expect(effectiveTier(s.points_tier, s.override, at(86_400_000))).toBe('REGULAR');
    expect(
      codeOf(() => decideAdminUpdate(passport, { override: { tier: 'GOLD', reason: 'x', until: T0.toISOString() }, by: 'a', now: T0 })),
    ).toBe('override_until_in_past');
  });

  it('visit tiers: the fifth check-in in 365 days is BRONZE; a visit on day D counts through D + 364', () => {
    let s = passport;
    const days = ['2026-03-02', '2026-04-01', '2026-05-01', '2026-06-01'];
    for (const d of days) s = visit(s, { now: new Date(`${d}T10:00:00Z`) }).reduce(passportEvolver.evolve, s);
    const fifth = visit(s, { now: new Date('2026-07-01T10:00:00Z') });
    expect(fifth[fifth.length - 1]!.data).toMatchObject({ ladder: 'visits', from: null, to: 'BRONZE' });
    s = fifth.reduce(passportEvolver.evolve, s);
    expect(visitTierView(s.visit_days, '2027-03-01')).toMatchObject({
      visit_tier: 'BRONZE',
      visits_in_window: 5,
      oldest_visit_drops_out_on: '2027-03-02',
    });
    expect(visitTierView(s.visit_days, '2027-03-02')).toMatchObject({ visit_tier: null, visits_in_window: 4, visits_to_next_tier: 1 });
  });
});

describe('isPassportVisit', () => {
  it("tells a passport visit from another writer's VisitRecorded (the read models skip those)", () => {
    expect(isPassportVisit({ player: 'anna', points: 3 })).toBe(false);
    expect(isPassportVisit(visit(passport)[0]!.data as unknown as Record<string, unknown>)).toBe(true);
  });

  it('given time alone, the review drops a visit tier on its day, clears an expired override, and a second run decides nothing', () => {
    const days = { '2026-01-10': 2, '2026-02-10': 3, '2026-03-10': 1 };
    // BRONZE with 6: losing 2026-01-10 leaves 4 -> drops on 2027-01-10
    expect(visitTierDropsOn(days, 'BRONZE', '2026-03-10')).toBe('2027-01-10');
    expect(visitTierDropsOn({ '2026-01-10': 1, '2026-02-10': 5 }, 'BRONZE', '2026-03-10')).toBe('2027-02-10');
    expect(visitTierDropsOn(days, null, '2026-03-10')).toBeNull();
    const s: PassportState = { ...passport, visit_days: days, visit_tier: 'BRONZE' };
    expect(decideTimeTiers(s, new Date('2027-01-09T23:59:59.000Z'))).toEqual([]);
    const out = decideTimeTiers(s, new Date('2027-01-10T00:00:00.000Z'));
    expect(out).toMatchObject([{ type: 'PassportTierChanged', data: { ladder: 'visits', from: 'BRONZE', to: null, cause: 'visits' } }]);
    expect(decideTimeTiers(passportEvolver.evolve(s, out[0]!), new Date('2027-01-11T00:00:00.000Z'))).toEqual([]);
    const o: PassportState = { ...passport, override: { tier: 'GOLD', reason: 'r', until: '2026-04-01T00:00:00.000Z' } };
    expect(decideTimeTiers(o, new Date('2026-03-31T23:59:59.000Z'))).toEqual([]);
    const cleared = decideTimeTiers(o, new Date('2026-04-01T00:00:00.000Z'));
    expect(cleared.map((e) => e.type)).toEqual(['PassportTierOverridden', 'PassportTierChanged']);
    expect(cleared[1]).toMatchObject({ data: { ladder: 'points', from: 'GOLD', to: 'REGULAR', cause: 'override' } });
    expect(decideTimeTiers(cleared.reduce(passportEvolver.evolve, o), new Date('2026-05-01T00:00:00.000Z'))).toEqual([]);
  });
});
