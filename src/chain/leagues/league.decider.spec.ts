import { codeOf } from '../../../test/support/domain-error.js';
import { rankKey } from '../../../projections/chain-league-standings.js';
import { decideCreateLeague, decideRecordResult, latestSeasonEnd, leagueEvolver, type LeagueEvent } from './league.decider.js';

const NOW = new Date('2026-05-10T12:00:00.000Z');
const create = (over: Partial<Parameters<typeof decideCreateLeague>[1]> = {}) => ({
  league_id: 'L',
  chain_id: 'C',
  name: 'Spring',
  venue_ids: ['v1', 'v2'],
  season_start: '2026-04-01',
  season_end: '2026-09-30',
  inactive_venue_ids: [],
  by: 'u',
  now: NOW,
  ...over,
});
const created = decideCreateLeague(leagueEvolver.initialState(), create())[0] as LeagueEvent;
const league = leagueEvolver.evolve(leagueEvolver.initialState(), created);
const result = (over: Partial<Parameters<typeof decideRecordResult>[1]> = {}) => ({
  result_id: 'r',
  league_id: 'L',
  chain_id: 'C',
  venue_id: 'v1',
  player_user_id: 'p',
  played_at: '2026-05-01T18:00:00.000Z',
  won: true,
  points_for: 13,
  points_against: 7,
  venue_active: true,
  by: 's',
  now: NOW,
  ...over,
});

describe('league decider', () => {
  it('given nothing, when a league is created with active venues, then LeagueCreated', () => {
    expect(created).toEqual({
      type: 'LeagueCreated',
      data: {
        league_id: 'L',
        chain_id: 'C',
        name: 'Spring',
        venue_ids: ['v1', 'v2'],
        season_start: '2026-04-01',
        season_end: '2026-09-30',
        created_by: 'u',
        created_at: NOW.toISOString(),
      },
    });
  });
  it('the season ends after it starts and at most 12 months later; every venue is ACTIVE', () => {
    expect(codeOf(() => decideCreateLeague(leagueEvolver.initialState(), create({ season_end: '2026-04-01' })))).toBe('validation_failed');
    expect(codeOf(() => decideCreateLeague(leagueEvolver.initialState(), create({ season_end: '2027-04-02' })))).toBe('validation_failed');
    expect(decideCreateLeague(leagueEvolver.initialState(), create({ season_end: '2027-04-01' }))).toHaveLength(1);
    expect(latestSeasonEnd('2028-02-29')).toBe('2029-02-28');
    expect(codeOf(() => decideCreateLeague(leagueEvolver.initialState(), create({ inactive_venue_ids: ['v2'] })))).toBe(
      'venue_not_active_member',
    );
  });
  it('a result inside the season at a league venue is recorded', () => {
    expect(decideRecordResult(league, result())[0]!.data).toMatchObject({ venue_id: 'v1', won: true, points_for: 13, recorded_by: 's' });
    // the season's last day counts (UTC date)
    expect(decideRecordResult(league, result({ played_at: '2026-09-30T23:59:00Z', now: new Date('2026-10-01T00:00:00Z') }))).toHaveLength(
      1,
    );
  });
  it('outside the season, a non-league venue, a venue that left, the future, or points against won are refused', () => {
    expect(codeOf(() => decideRecordResult(league, result({ played_at: '2026-03-31T23:59:59Z' })))).toBe('outside_season');
    expect(
      codeOf(() => decideRecordResult(league, result({ played_at: '2026-10-01T00:00:00Z', now: new Date('2026-10-02T00:00:00Z') }))),
    ).toBe('outside_season');
    expect(codeOf(() => decideRecordResult(league, result({ venue_id: 'v3' })))).toBe('venue_not_in_league');
    expect(codeOf(() => decideRecordResult(league, result({ venue_active: false })))).toBe('venue_not_active_member');
    expect(codeOf(() => decideRecordResult(league, result({ played_at: '2026-05-11T00:00:00Z' })))).toBe('played_in_future');
    expect(codeOf(() => decideRecordResult(league, result({ won: false })))).toBe('validation_failed');
  });
  it('rank keys order by wins, then point difference (negative too), then points for', () => {
    const keys = [
      { wins: 2, point_diff: -3, points_for: 20 },
      { wins: 3, point_diff: -10, points_for: 5 },
      { wins: 2, point_diff: 4, points_for: 10 },
      { wins: 2, point_diff: 4, points_for: 30 },
      { wins: 0, point_diff: -26, points_for: 0 },
    ].map((s) => ({ s, k: rankKey(s) }));
    const sorted = [...keys].sort((a, b) => (a.k < b.k ? -1 : 1)).map((x) => x.s);
    expect(sorted).toEqual([
      { wins: 3, point_diff: -10, points_for: 5 },
      { wins: 2, point_diff: 4, points_for: 30 },
      { wins: 2, point_diff: 4, points_for: 10 },
      { wins: 2, point_diff: -3, points_for: 20 },
      { wins: 0, point_diff: -26, points_for: 0 },
    ]);
  });
});
