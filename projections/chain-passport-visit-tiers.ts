import { defineProjection } from '../src/projections-runtime/projection.js';
import { isPassportVisit, type PassportEvent } from '../src/passport/passport.decider.js';
import { pruneDays, utcDay } from '../src/passport/passport-tiers.js';

/**
 * Visit tiers (F02.09.03): per passport, the check-ins per UTC day of the rolling 365-day window
 * (days that left the window are dropped at the next check-in, so the document stays bounded).
 * GET /chain/{chain_id}/passport/{user_id} computes the tier, the count and the drop-out date of
 * the oldest counting visit from it on the day of the request.
 */
export interface VisitTierDoc {
  id: string;
  passport_id: string;
  chain_id: string;
  user_id: string;
  visit_days: Record<string, number>;
  last_position: number;
  [k: string]: unknown;
}

export const chainPassportVisitTiersProjection = defineProjection({
  name: 'chain_passport_visit_tiers',
  collections: [{ name: 'chain_passport_visit_tiers', indexes: [{ fields: ['chain_id', 'user_id'] }] }],
  handles: ['PassportCreated', 'VisitRecorded'],
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
        last_position: event.position,
      });
      return;
    }
    if (e.type !== 'VisitRecorded' || !isPassportVisit(event.data) || e.data.kind !== 'check_in') return;
    const doc = await docs.get(e.data.passport_id);
    if (!doc || doc.last_position >= event.position) return;
    const day = utcDay(e.data.visited_at);
    const days = pruneDays(doc.visit_days, day);
    days[day] = (days[day] ?? 0) + 1;
    await docs.patch(doc.id, { set: { visit_days: days, last_position: event.position } });
  },
});
