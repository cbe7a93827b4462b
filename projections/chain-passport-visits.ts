import { defineProjection } from '../src/projections-runtime/projection.js';
import { isPassportVisit, type VisitData } from '../src/passport/passport.decider.js';

/**
 * Visit history (F02.09.10): one document per visit (id = visit id), read newest first per
 * passport through the index (passport_id, visited_at desc, id desc), so a page costs the same
 * at visit 10 and at visit 10,000.
 */
export interface PassportVisitView {
  id: string;
  visit_id: string;
  passport_id: string;
  chain_id: string;
  venue_id: string;
  kind: VisitData['kind'];
  points_earned: number;
  reason: string | null;
  visited_at: string;
  [k: string]: unknown;
}

export const chainPassportVisitsProjection = defineProjection({
  name: 'chain_passport_visits',
  collections: [
    {
      name: 'chain_passport_visits',
      indexes: [{ fields: ['passport_id', 'visited_at', 'id'], order: ['asc', 'desc', 'desc'] }],
    },
  ],
  handles: ['VisitRecorded'],
  async apply(event, tx) {
    if (!isPassportVisit(event.data)) return;
    const d = event.data as unknown as VisitData;
    // the same event written twice writes the same document (idempotent by visit id)
    await tx.collection<PassportVisitView>('chain_passport_visits').upsert({
      id: d.visit_id,
      visit_id: d.visit_id,
      passport_id: d.passport_id,
      chain_id: d.chain_id,
      venue_id: d.venue_id,
      kind: d.kind,
      points_earned: d.points_earned,
      reason: d.reason,
      visited_at: d.visited_at,
    });
  },
});
