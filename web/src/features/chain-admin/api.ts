import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api-client';

/** The passport body of src/passport (README "Loyalty passports"). */
export interface Passport {
  passport_id: string;
  number: number;
  chain_id: string;
  user_id: string;
  display_name: string;
  status: 'ACTIVE' | 'BANNED';
  ban_reason: string | null;
  tier: PointsTier;
  points_tier: PointsTier;
  tier_override: { tier: PointsTier; reason: string; until: string | null } | null;
  next_points_tier: PointsTier | null;
  points_to_next_tier: number | null;
  total_points: number;
  total_games: number;
  visits?: {
    visit_tier: string | null;
    visits_in_window: number;
    oldest_visit_drops_out_on: string | null;
    next_tier: string | null;
    visits_to_next_tier: number | null;
    window_days: number;
  };
  created_at: string;
  last_visit_at: string | null;
}
export type PointsTier = 'REGULAR' | 'GOLD' | 'PLATINUM';
export const POINTS_TIERS: PointsTier[] = ['REGULAR', 'GOLD', 'PLATINUM'];

export interface Visit {
  visit_id: string;
  venue_id: string;
  kind: 'check_in' | 'points';
  points_earned: number;
  reason: string | null;
  visited_at: string;
}

export type Period = 'alltime' | 'year' | 'month';
export interface LeaderboardRow {
  rank: number;
  passport_id: string;
  display_name: string;
  tier: PointsTier;
  points: number;
  visits: number;
}
export interface Leaderboard {
  chain_id: string;
  venue_id: string | null;
  period: Period;
  period_key: string;
  items: LeaderboardRow[];
  next_cursor: string | null;
}

export interface PassportUpdate {
  tier_override?: PointsTier | null;
  tier_override_reason?: string;
  tier_override_until?: string | null;
  banned?: boolean;
  ban_reason?: string;
}

/** The leaderboard refreshes itself every 60 s while it is on screen (F02.09.11). */
export const LEADERBOARD_REFRESH_MS = 60_000;

/** `GET /chain/passports?chain_id=&q=`: an id-prefix search for `BOULE-PASS-…`, else a name-prefix search. */
export function usePassportSearch(chainId: string | undefined, q: string) {
  return useQuery({
    queryKey: ['passport-search', chainId, q],
    queryFn: () =>
      api.get<{ items: Passport[]; next_cursor: string | null }>(`/chain/passports?chain_id=${chainId}${q ? `&q=${encodeURIComponent(q)}` : ''}`),
    enabled: chainId !== undefined,
    placeholderData: keepPreviousData,
  });
}

export function usePassport(id: string | null) {
  return useQuery({ queryKey: ['passport', id], queryFn: () => api.get<Passport>(`/chain/passports/${encodeURIComponent(id!)}`), enabled: id !== null });
}

export function usePassportVisits(id: string | null) {
  return useQuery({
    queryKey: ['passport-visits', id],
    queryFn: () => api.get<{ items: Visit[]; next_cursor: string | null }>(`/chain/passports/${encodeURIComponent(id!)}/visits`),
    enabled: id !== null,
  });
}

/** Override, ban, unban: the passport, the search results and the leaderboard (bans leave it) change. */
export function useUpdatePassport(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PassportUpdate) => api.put<Passport>(`/chain/passports/${encodeURIComponent(id)}`, body),
    onSuccess: (p) => {
      qc.setQueryData(['passport', id], p);
      return Promise.all([qc.invalidateQueries({ queryKey: ['passport-search'] }), qc.invalidateQueries({ queryKey: ['leaderboard'] })]);
    },
  });
}

export function useLeaderboard(chainId: string | undefined, venueId: string, period: Period) {
  return useQuery({
    queryKey: ['leaderboard', chainId, venueId, period],
    queryFn: () =>
      api.get<Leaderboard>(`/chain/leaderboard?chain_id=${chainId}&period=${period}${venueId ? `&venue_id=${encodeURIComponent(venueId)}` : ''}`),
    enabled: chainId !== undefined,
    refetchInterval: LEADERBOARD_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}

/** The chain's ACTIVE member venues, for the leaderboard's venue filter. */
export function useActiveVenues(chainId: string | undefined) {
  return useQuery({
    queryKey: ['chain-venues', chainId, 'ACTIVE'],
    queryFn: () =>
      api.get<{ items: Array<{ venue_id: string; venue_name: string | null; status: string }> }>(`/chain/${chainId}/venues?status=ACTIVE`),
    enabled: chainId !== undefined,
    retry: false,
  });
}
