/**
 * The two tier ladders of a chain passport, pure functions over dates and numbers.
 *
 * Points tiers (F02.09.07): REGULAR / GOLD / PLATINUM by `total_points` against the chain's
 * thresholds. Points only grow, and a tier once reached is kept (a chain raising its thresholds
 * later demotes nobody); only a chain admin's `tier_override` changes the shown tier, while it lasts.
 *
 * Visit tiers (F02.09.03): BRONZE (5+) / SILVER (20+) / GOLD (50+) check-ins in a rolling 365-day
 * window of UTC days: a check-in on day D counts up to and including day D + 364 and drops out on
 * D + 365, so the visit tier also moves down when old visits leave the window.
 */
export const POINTS_TIERS = ['REGULAR', 'GOLD', 'PLATINUM'] as const;
export type PointsTier = (typeof POINTS_TIERS)[number];
export const VISIT_TIERS = ['BRONZE', 'SILVER', 'GOLD'] as const;
export type VisitTier = (typeof VISIT_TIERS)[number];

export interface PointsThresholds {
  gold_points: number;
  platinum_points: number;
}
export const DEFAULT_THRESHOLDS: PointsThresholds = { gold_points: 500, platinum_points: 2000 };
/** Points a check-in earns unless the chain sets another number. */
export const DEFAULT_CHECK_IN_POINTS = 10;

export const VISIT_TIER_MIN: Record<VisitTier, number> = { BRONZE: 5, SILVER: 20, GOLD: 50 };
export const WINDOW_DAYS = 365;

const rank = (t: PointsTier) => POINTS_TIERS.indexOf(t);

export function pointsTierFor(points: number, th: PointsThresholds): PointsTier {
  if (points >= th.platinum_points) return 'PLATINUM';
  if (points >= th.gold_points) return 'GOLD';
  return 'REGULAR';
}

/** The higher of two points tiers (a reached tier is kept). */
export const higherTier = (a: PointsTier, b: PointsTier): PointsTier => (rank(a) >= rank(b) ? a : b);

export interface TierOverride {
  tier: PointsTier;
  reason: string;
  /** ISO time the override ends, or null for no end. */
  until: string | null;
}

/** The tier shown: an override while it lasts (until excluded), else the reached points tier. */
export function effectiveTier(pointsTier: PointsTier, override: TierOverride | null, now: Date): PointsTier {
  if (override && (override.until === null || new Date(override.until).getTime() > now.getTime())) return override.tier;
  return pointsTier;
}

export const utcDay = (iso: string | Date) => new Date(iso).toISOString().slice(0, 10);
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Check-ins per UTC day, without the days that have left the window on `today`. */
export function pruneDays(days: Record<string, number>, today: string): Record<string, number> {
  const first = addDays(today, -(WINDOW_DAYS - 1));
  const out: Record<string, number> = {};
  for (const [d, n] of Object.entries(days)) if (d >= first) out[d] = n;
  return out;
}

export const visitTierFor = (count: number): VisitTier | null =>
  count >= VISIT_TIER_MIN.GOLD ? 'GOLD' : count >= VISIT_TIER_MIN.SILVER ? 'SILVER' : count >= VISIT_TIER_MIN.BRONZE ? 'BRONZE' : null;

export interface VisitTierView {
  visit_tier: VisitTier | null;
  visits_in_window: number;
  /** The first day the oldest counting visit no longer counts (null without visits in the window). */
  oldest_visit_drops_out_on: string | null;
  next_tier: VisitTier | null;
  visits_to_next_tier: number | null;
  window_days: number;
}

/** What the visit-tier view says on `today`, from the check-ins per day. */
export function visitTierView(days: Record<string, number>, today: string): VisitTierView {
  const inWindow = pruneDays(days, today);
  const count = Object.values(inWindow).reduce((a, b) => a + b, 0);
  const oldest = Object.keys(inWindow).sort()[0];
  const tier = visitTierFor(count);
  const next = VISIT_TIERS.find((t) => VISIT_TIER_MIN[t] > count) ?? null;
  return {
    visit_tier: tier,
    visits_in_window: count,
    oldest_visit_drops_out_on: oldest ? addDays(oldest, WINDOW_DAYS) : null,
    next_tier: next,
    visits_to_next_tier: next ? VISIT_TIER_MIN[next] - count : null,
    window_days: WINDOW_DAYS,
  };
}

/**
 * The first day on which time alone moves a recorded visit tier down (the window losing its oldest
 * days), or null when there is no tier to lose. A tier already out of step on `today` drops today.
 */
export function visitTierDropsOn(days: Record<string, number>, tier: VisitTier | null, today: string): string | null {
  if (!tier) return null;
  const inWindow = pruneDays(days, today);
  let count = Object.values(inWindow).reduce((a, b) => a + b, 0);
  if (visitTierFor(count) !== tier) return today;
  for (const d of Object.keys(inWindow).sort()) {
    count -= inWindow[d]!;
    if (visitTierFor(count) !== tier) return addDays(d, WINDOW_DAYS);
  }
  return null;
}
