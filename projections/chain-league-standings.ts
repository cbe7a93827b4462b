import { defineProjection } from '../src/projections-runtime/projection.js';
import type { LeagueResultEvent } from '../src/chain/leagues/league.decider.js';

/**
 * League leaderboards (F02.09.02): one row per league, scope and player, where the scope is
 * `all` (the cross-venue ranking) or a venue id (the ranking of the results played there). Each
 * result updates two rows, so reading a page costs the same whatever the number of results.
 * `rank_key` sorts best first: wins, then point difference, then points for, all descending;
 * equal keys share a rank.
 */
export interface StandingView {
  id: string;
  league_id: string;
  scope: string;
  player_user_id: string;
  played: number;
  wins: number;
  losses: number;
  points_for: number;
  points_against: number;
  point_diff: number;
  rank_key: string;
  last_position: number;
  [k: string]: unknown;
}

const OFFSET = 500_000_000; // point differences are shifted to be non-negative before encoding
const pad = (n: number) => String(n).padStart(10, '0');
/** Ascending order of this string is the ranking order. */
export const rankKey = (s: Pick<StandingView, 'wins' | 'point_diff' | 'points_for'>) =>
  `${pad(OFFSET - s.wins)}.${pad(OFFSET - (s.point_diff + OFFSET / 2))}.${pad(OFFSET - s.points_for)}`;

export const standingId = (leagueId: string, scope: string, player: string) => `${leagueId}:${scope}:${player}`;

export const chainLeagueStandingsProjection = defineProjection({
  name: 'chain_league_standings',
  collections: [{ name: 'chain_league_standings', indexes: [{ fields: ['league_id', 'scope', 'rank_key'] }] }],
  handles: ['LeagueResultRecorded'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as LeagueResultEvent;
    const rows = tx.collection<StandingView>('chain_league_standings');
    for (const scope of ['all', e.data.venue_id]) {
      const id = standingId(e.data.league_id, scope, e.data.player_user_id);
      const old = await rows.get(id);
      // guard by position: a result applied twice (crash before the checkpoint) is counted once
      if (old && old.last_position >= event.position) continue;
      const next = {
        played: (old?.played ?? 0) + 1,
        wins: (old?.wins ?? 0) + (e.data.won ? 1 : 0),
        losses: (old?.losses ?? 0) + (e.data.won ? 0 : 1),
        points_for: (old?.points_for ?? 0) + e.data.points_for,
        points_against: (old?.points_against ?? 0) + e.data.points_against,
      };
      const point_diff = next.points_for - next.points_against;
      await rows.upsert({
        id,
        league_id: e.data.league_id,
        scope,
        player_user_id: e.data.player_user_id,
        ...next,
        point_diff,
        rank_key: rankKey({ wins: next.wins, point_diff, points_for: next.points_for }),
        last_position: event.position,
      });
    }
  },
});
