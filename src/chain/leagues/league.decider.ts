import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict } from '../../shared/errors.js';

/**
 * Cross-venue leagues (F02.09.02). The league's stream holds its definition only; each result is
 * its own stream (`chain-league-result-{id}`), so recording result 10,000 loads the same one
 * event as result 1. Seasons are calendar dates (YYYY-MM-DD, inclusive), a result's day is its
 * UTC date.
 */
export type LeagueEvent = DomainEvent<
  'LeagueCreated',
  {
    league_id: string;
    chain_id: string;
    name: string;
    venue_ids: string[];
    season_start: string;
    season_end: string;
    created_by: string;
    created_at: string;
  }
>;
/** One game's result as a venue's staff report it (POST .../results). */
export interface LeagueResult {
  venue_id: string;
  player_user_id: string;
  played_at: string;
  won: boolean;
  points_for: number;
  points_against: number;
}
export type LeagueResultEvent = DomainEvent<
  'LeagueResultRecorded',
  LeagueResult & { result_id: string; league_id: string; chain_id: string; recorded_by: string; recorded_at: string }
>;

export interface LeagueState {
  exists: boolean;
  chain_id: string | null;
  venue_ids: string[];
  season_start: string;
  season_end: string;
}

export const leagueStream = (leagueId: string) => `chain-league-${leagueId}`;
export const leagueResultStream = (resultId: string) => `chain-league-result-${resultId}`;

export const leagueEvolver = {
  initialState: (): LeagueState => ({ exists: false, chain_id: null, venue_ids: [], season_start: '', season_end: '' }),
  evolve: (_s: LeagueState, e: LeagueEvent): LeagueState => ({
    exists: true,
    chain_id: e.data.chain_id,
    venue_ids: e.data.venue_ids,
    season_start: e.data.season_start,
    season_end: e.data.season_end,
  }),
};
export const resultEvolver = {
  initialState: () => ({ exists: false }),
  evolve: () => ({ exists: true }),
};

/** The last day a season starting on `start` may end: twelve months later (29 Feb -> 28 Feb). */
export function latestSeasonEnd(start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const lastOfMonth = new Date(Date.UTC(y + 1, m, 0)).getUTCDate();
  return `${y + 1}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastOfMonth)).padStart(2, '0')}`;
}

export function decideCreateLeague(
  s: LeagueState,
  cmd: {
    league_id: string;
    chain_id: string;
    name: string;
    venue_ids: string[];
    season_start: string;
    season_end: string;
    /** The venues of the list that are not ACTIVE members of the chain (looked up by the handler). */
    inactive_venue_ids: string[];
    by: string;
    now: Date;
  },
): LeagueEvent[] {
  if (s.exists) throw conflict('league_exists', 'This league already exists.');
  if (cmd.season_end <= cmd.season_start)
    throw badRequest('validation_failed', 'season_end must be after season_start', { errors: ['season_end must be after season_start'] });
  if (cmd.season_end > latestSeasonEnd(cmd.season_start))
    throw badRequest('validation_failed', 'season_end must be at most 12 months after season_start', {
      errors: ['season_end must be at most 12 months after season_start'],
    });
  if (cmd.inactive_venue_ids.length)
    throw conflict('venue_not_active_member', 'Every venue of a league must be an ACTIVE member of the chain.', {
      venue_ids: cmd.inactive_venue_ids,
    });
  return [
    {
      type: 'LeagueCreated',
      data: {
        league_id: cmd.league_id,
        chain_id: cmd.chain_id,
        name: cmd.name,
        venue_ids: cmd.venue_ids,
        season_start: cmd.season_start,
        season_end: cmd.season_end,
        created_by: cmd.by,
        created_at: cmd.now.toISOString(),
      },
    },
  ];
}

export function decideRecordResult(
  league: LeagueState,
  cmd: LeagueResult & {
    result_id: string;
    league_id: string;
    chain_id: string;
    /** Whether the venue is an ACTIVE member of the chain now. */
    venue_active: boolean;
    by: string;
    now: Date;
  },
): LeagueResultEvent[] {
  if (!league.venue_ids.includes(cmd.venue_id)) throw conflict('venue_not_in_league', 'venue_id is not a venue of this league.');
  if (!cmd.venue_active) throw conflict('venue_not_active_member', 'This venue is no longer an ACTIVE member of the chain.');
  const day = new Date(cmd.played_at).toISOString().slice(0, 10);
  if (day < league.season_start || day > league.season_end)
    throw conflict('outside_season', `played_at must be within the season (${league.season_start} to ${league.season_end}).`, {
      season_start: league.season_start,
      season_end: league.season_end,
    });
  if (new Date(cmd.played_at).getTime() > cmd.now.getTime()) throw conflict('played_in_future', 'played_at is in the future.');
  if (cmd.won !== cmd.points_for > cmd.points_against)
    throw badRequest('validation_failed', 'won must agree with the points (the winner has more points)', {
      errors: ['won must agree with the points (the winner has more points)'],
    });
  return [
    {
      type: 'LeagueResultRecorded',
      data: {
        result_id: cmd.result_id,
        league_id: cmd.league_id,
        chain_id: cmd.chain_id,
        venue_id: cmd.venue_id,
        player_user_id: cmd.player_user_id,
        played_at: new Date(cmd.played_at).toISOString(),
        won: cmd.won,
        points_for: cmd.points_for,
        points_against: cmd.points_against,
        recorded_by: cmd.by,
        recorded_at: cmd.now.toISOString(),
      },
    },
  ];
}
