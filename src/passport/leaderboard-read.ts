import type { ReadStore } from '../readstore/read-store.port.js';
import { bucketOf, periodKey, type LeaderboardRow, type Period } from '../../projections/chain-passport-leaderboard.js';
import { effectiveTier } from './passport-tiers.js';

/**
 * A page of the chain leaderboard (F02.09.09): an indexed range of one bucket of the projection
 * (`chain_id, bucket, listed, rank_key`). Ranks are competition ranks (equal points and visits
 * share a rank, the next one skips) and hold across pages: each distinct key on the page is ranked
 * by an indexed count of the better keys. Used by the controller and by `npm run bench -- passport`.
 */
export async function readLeaderboard(
  reads: ReadStore,
  q: { chain_id: string; venue_id: string | null; period: Period; now: Date; limit: number; cursor: string | null },
) {
  const period_key = periodKey(q.period, q.now);
  const rows = reads.collection<LeaderboardRow>('chain_passport_leaderboard');
  const where = { chain_id: q.chain_id, bucket: bucketOf(q.venue_id ?? 'all', period_key), listed: true };
  const page = await rows.find({ where, sort: [['rank_key', 'asc']], limit: q.limit, cursor: q.cursor });
  const ranks = new Map<string, number>();
  for (const r of page.items)
    if (!ranks.has(r.rank_key)) ranks.set(r.rank_key, 1 + (await rows.count({ ...where, rank_key: { lt: r.rank_key } })));
  return {
    period_key,
    items: page.items.map((r) => ({
      rank: ranks.get(r.rank_key)!,
      passport_id: r.passport_id,
      display_name: r.display_name,
      tier: effectiveTier(r.points_tier, r.tier_override, q.now),
      points: r.points,
      visits: r.visits,
    })),
    next_cursor: page.next_cursor,
  };
}
