import type { PassportView } from '../../projections/chain-passports.js';
import type { VisitTierDoc } from '../../projections/chain-passport-visit-tiers.js';
import type { PassportVisitView } from '../../projections/chain-passport-visits.js';
import type { PassportSettings } from './passport-registry.decider.js';
import { effectiveTier, POINTS_TIERS, utcDay, visitTierView } from './passport-tiers.js';

/** The visit-tier part of a view (F02.09.03), on the day of `now`. */
export const visitTiers = (doc: VisitTierDoc | null, now: Date) => visitTierView(doc?.visit_days ?? {}, utcDay(now));

/** A passport as every reader sees it; `tier` is the tier shown (an active override wins). */
export function passportBody(p: PassportView, settings: PassportSettings, visits: VisitTierDoc | null, now: Date) {
  const tier = effectiveTier(p.points_tier, p.tier_override, now);
  const override = p.tier_override && effectiveTier(p.points_tier, p.tier_override, now) === p.tier_override.tier ? p.tier_override : null;
  const nextIdx = POINTS_TIERS.indexOf(p.points_tier) + 1;
  const next = POINTS_TIERS[nextIdx] ?? null;
  const need = next === 'GOLD' ? settings.gold_points : next === 'PLATINUM' ? settings.platinum_points : null;
  return {
    passport_id: p.passport_id,
    number: p.number,
    chain_id: p.chain_id,
    user_id: p.user_id,
    display_name: p.display_name,
    status: p.status,
    ban_reason: p.ban_reason,
    tier,
    points_tier: p.points_tier,
    tier_override: override ? { tier: override.tier, reason: override.reason, until: override.until } : null,
    next_points_tier: next,
    points_to_next_tier: need === null ? null : Math.max(0, need - p.total_points),
    total_points: p.total_points,
    total_games: p.total_games,
    visits: visitTiers(visits, now),
    created_at: p.created_at,
    last_visit_at: p.last_visit_at,
  };
}

export const visitItem = (v: PassportVisitView) => ({
  visit_id: v.visit_id,
  venue_id: v.venue_id,
  kind: v.kind,
  points_earned: v.points_earned,
  reason: v.reason,
  visited_at: v.visited_at,
});
