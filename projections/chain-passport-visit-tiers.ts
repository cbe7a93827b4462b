import { defineProjection } from '../src/projections-runtime/projection.js';
import { isPassportVisit, type PassportEvent } from '../src/passport/passport.decider.js';
import { pruneDays, utcDay, visitTierDropsOn, visitTierFor, type VisitTier } from '../src/passport/passport-tiers.js';

/**
 * Visit tiers (F02.09.03): per passport, the check-ins per UTC day of the rolling 365-day window
 * (days that left the window are dropped at the next check-in, so the document stays bounded).
 * GET /chain/{chain_id}/passport/{user_id} computes the tier, the count and the drop-out date of
 * the oldest counting visit from it on the day of the request. `visit_tier` is the tier last
 * recorded (by a check-in or a tier change) and `tier_drops_on` the first day time alone moves it
 * down: the scheduled tier review's range scan (index) for the passports it has to look at.
 */
export interface VisitTierDoc {
  id: string;
  passport_id: string;
  chain_id: string;
  user_id: string;
  visit_days: Record<string, number>;
  visit_tier?: VisitTier | null;
  tier_drops_on?: string | null;
  last_position: number;
  [k: string]: unknown;
}

export const chainPassportVisitTiersProjection = defineProjection({
  name: 'chain_passport_visit_tiers',
  collections: [{ name: 'chain_passport_visit_tiers', indexes: [{ fields: ['chain_id', 'user_id'] }, { fields: ['tier_drops_on'] }] }],
  handles: ['PassportCreated', 'VisitRecorded', 'PassportTierChanged'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as PassportEvent;
    const docs = tx.collection<VisitTierDoc>('chain_passport_visit_tiers');
    if (e.type === 'PassportCreated') {
      if (await docs.get(e.data.passport_id)) return;
      await docs.upsert({
        id: e.data.passport_id,
        passport_id: e.data.passport_id,
        chain_id: e.data.chain_id,
        user_id: e.data.user_id,
        visit_days: {},
        visit_tier: null,
        tier_drops_on: null,
        last_position: event.position,
      });
      return;
    }
    if (e.type === 'PassportTierChanged') {
      if (e.data.ladder !== 'visits') return;
      const doc = await docs.get(e.data.passport_id);
      if (!doc || doc.last_position >= event.position) return;
      const tier = e.data.to as VisitTier | null;
      const tier_drops_on = visitTierDropsOn(doc.visit_days, tier, utcDay(e.data.at));
      await docs.patch(doc.id, { set: { visit_tier: tier, tier_drops_on, last_position: event.position } });
      return;
    }
    if (e.type !== 'VisitRecorded' || !isPassportVisit(event.data) || e.data.kind !== 'check_in') return;
    const doc = await docs.get(e.data.passport_id);
    if (!doc || doc.last_position >= event.position) return;
    const day = utcDay(e.data.visited_at);
    const days = pruneDays(doc.visit_days, day);
    days[day] = (days[day] ?? 0) + 1;
    // the tier this check-in records (the decider appends the change with it when it moves)
    const tier = visitTierFor(Object.values(days).reduce((a, b) => a + b, 0));
    const tier_drops_on = visitTierDropsOn(days, tier, day);
    await docs.patch(doc.id, { set: { visit_days: days, visit_tier: tier, tier_drops_on, last_position: event.position } });
  },
});
