import { defineProjection } from '../src/projections-runtime/projection.js';
import type { ReadStoreTx } from '../src/readstore/read-store.port.js';
import { isPassportVisit, overrideOf, PASSPORT_VIEW_EVENTS, type PassportEvent, type VisitData } from '../src/passport/passport.decider.js';
import type { PointsTier } from '../src/passport/passport-tiers.js';

/**
 * The chain leaderboard (F02.09.09): one row per passport and bucket, where a bucket is a scope
 * (`all` or a venue id) and a period (`alltime`, `Y2026`, `M2026-03`; UTC). A visit updates its six
 * buckets (2 scopes x 3 periods), so a top-50 page is an indexed range scan of one bucket, never an
 * aggregation over visits. Rows carry the player's display name, tier and `listed` (false while
 * banned) so a page needs nothing else; `chain_leaderboard_players` keeps those per passport for
 * rows made later, and a change of them is copied to the passport's existing rows.
 */
export interface LeaderboardRow {
  id: string;
  chain_id: string;
  bucket: string;
  passport_id: string;
  display_name: string;
  points: number;
  visits: number;
  rank_key: string;
  listed: boolean;
  points_tier: PointsTier;
  tier_override: { tier: PointsTier; reason: string; until: string | null } | null;
  last_position: number;
  [k: string]: unknown;
}
interface PlayerDoc {
  id: string;
  display_name: string;
  listed: boolean;
  points_tier: PointsTier;
  tier_override: LeaderboardRow['tier_override'];
  [k: string]: unknown;
}

export type Period = 'alltime' | 'year' | 'month';
/** The period key of a time: `alltime`, `Y2026`, `M2026-03` (UTC). */
export function periodKey(period: Period, at: Date | string): string {
  const iso = new Date(at).toISOString();
  return period === 'alltime' ? 'alltime' : period === 'year' ? `Y${iso.slice(0, 4)}` : `M${iso.slice(0, 7)}`;
}
export const bucketOf = (scope: string, periodK: string) => `${scope}|${periodK}`;

const MAX = 1e12;
const pad = (n: number) => String(MAX - n).padStart(13, '0');
/** Ascending order of this string is the ranking: points, then visits, both descending. */
export const rankKey = (points: number, visits: number) => `${pad(points)}.${pad(visits)}`;

const ROWS = 'chain_passport_leaderboard';
const PLAYERS = 'chain_leaderboard_players';

async function copyToRows(tx: ReadStoreTx, passportId: string, set: Partial<LeaderboardRow>) {
  const rows = tx.collection<LeaderboardRow>(ROWS);
  let cursor: string | null = null;
  do {
    const page = await rows.find({ where: { passport_id: passportId }, limit: 500, cursor });
    for (const r of page.items) await rows.patch(r.id, { set });
    cursor = page.next_cursor;
  } while (cursor);
}

export const chainPassportLeaderboardProjection = defineProjection({
  name: 'chain_passport_leaderboard',
  collections: [
    { name: ROWS, indexes: [{ fields: ['chain_id', 'bucket', 'listed', 'rank_key', 'id'] }, { fields: ['passport_id'] }] },
    { name: PLAYERS },
  ],
  handles: PASSPORT_VIEW_EVENTS,
  async apply(event, tx) {
    if (event.type === 'VisitRecorded' && !isPassportVisit(event.data)) return;
    const e = { type: event.type, data: event.data } as unknown as PassportEvent;
    const players = tx.collection<PlayerDoc>(PLAYERS);
    if (e.type === 'PassportClaimed') return;
    if (e.type === 'PassportCreated') {
      await players.upsert({
        id: e.data.passport_id,
        display_name: e.data.display_name,
        listed: true,
        points_tier: 'REGULAR',
        tier_override: null,
      });
      return;
    }
    if (e.type === 'VisitRecorded') return recordVisit(tx, e.data, event.position);
    // the other events set a value (no increments): applying one twice gives the same rows
    let set: Partial<PlayerDoc> | null = null;
    if (e.type === 'PassportProfileUpdated') set = { display_name: e.data.display_name };
    else if (e.type === 'PassportBanned') set = { listed: false };
    else if (e.type === 'PassportUnbanned') set = { listed: true };
    else if (e.type === 'PassportTierOverridden') set = { tier_override: overrideOf(e.data) };
    else if (e.type === 'PassportTierChanged' && e.data.ladder === 'points' && e.data.cause === 'points')
      set = { points_tier: e.data.to as PointsTier };
    if (!set) return;
    await players.patch(e.data.passport_id, { set });
    await copyToRows(tx, e.data.passport_id, set as Partial<LeaderboardRow>);
  },
});

async function recordVisit(tx: ReadStoreTx, d: VisitData, position: number) {
  const rows = tx.collection<LeaderboardRow>(ROWS);
  const player = await tx.collection<PlayerDoc>(PLAYERS).get(d.passport_id);
  const visits = d.kind === 'check_in' ? 1 : 0;
  for (const scope of ['all', d.venue_id])
    for (const p of ['alltime', 'year', 'month'] as const) {
      const bucket = bucketOf(scope, periodKey(p, d.visited_at));
      const id = `${d.chain_id}:${bucket}:${d.passport_id}`;
      const old = await rows.get(id);
      // guard by position: a visit applied twice (crash before the checkpoint) is counted once
      if (old && old.last_position >= position) continue;
      const points = (old?.points ?? 0) + d.points_earned;
      const v = (old?.visits ?? 0) + visits;
      await rows.upsert({
        id,
        chain_id: d.chain_id,
        bucket,
        passport_id: d.passport_id,
        display_name: player?.display_name ?? '',
        points,
        visits: v,
        rank_key: rankKey(points, v),
        listed: player?.listed ?? true,
        points_tier: player?.points_tier ?? 'REGULAR',
        tier_override: player?.tier_override ?? null,
        last_position: position,
      });
    }
}
