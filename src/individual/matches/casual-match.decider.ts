import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict, DomainError, forbidden, notFound } from '../../shared/errors.js';

/** Casual P2P matches (F02.08.02): pétanque is played to 13. */
export const FREE_MATCHES_PER_MONTH = 50;
export const VERIFY_WITHIN_MS = 7 * 86_400_000;
export const MAX_BACKDATE_MS = 30 * 86_400_000;

export type MatchStatus = 'PENDING' | 'CONFIRMED' | 'DISPUTED' | 'EXPIRED' | 'CANCELLED';

export type CasualMatchEvent =
  | DomainEvent<
      'CasualMatchRecorded',
      {
        match_id: string;
        creator: string;
        opponent: string;
        played_at: string;
        score: { creator: number; opponent: number };
        at: string;
        expires_at: string;
      }
    >
  | DomainEvent<'CasualMatchVerified', { match_id: string; by: string; decision: 'confirm' | 'dispute'; at: string }>
  | DomainEvent<'CasualMatchExpired', { match_id: string; at: string }>
  | DomainEvent<'CasualMatchCancelled', { match_id: string; reason: 'blocked'; at: string }>;

export interface CasualMatchState {
  exists: boolean;
  match_id: string;
  creator: string;
  opponent: string;
  status: MatchStatus;
  expires_at: number;
}

export const casualMatchStream = (id: string) => `casual-match-${id}`;
export const casualMatchEvolver = {
  initialState: (): CasualMatchState => ({ exists: false, match_id: '', creator: '', opponent: '', status: 'PENDING', expires_at: 0 }),
  evolve(s: CasualMatchState, e: CasualMatchEvent): CasualMatchState {
    switch (e.type) {
      case 'CasualMatchRecorded':
        return {
          exists: true,
          match_id: e.data.match_id,
          creator: e.data.creator,
          opponent: e.data.opponent,
          status: 'PENDING',
          expires_at: Date.parse(e.data.expires_at),
        };
      case 'CasualMatchVerified':
        return { ...s, status: e.data.decision === 'confirm' ? 'CONFIRMED' : 'DISPUTED' };
      case 'CasualMatchExpired':
        return { ...s, status: 'EXPIRED' };
      case 'CasualMatchCancelled':
        return { ...s, status: 'CANCELLED' };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

const field = (name: string, msg: string) => badRequest('validation_failed', `${name} ${msg}`, { errors: [`${name} ${msg}`], field: name });

/** The winner has 13, the loser 0..12; played in the last 30 days, not in the future. */
export function checkMatchInput(input: { played_at: string; score: { me: number; opponent: number } }, now: Date): void {
  const { me, opponent } = input.score;
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n <= 13;
  if (!ok(me) || !ok(opponent) || (me === 13) === (opponent === 13))
    throw field('score', 'must have exactly one side at 13 and the other at 0 to 12');
  const t = Date.parse(input.played_at);
  if (t > now.getTime()) throw field('played_at', 'must not be in the future');
  if (t < now.getTime() - MAX_BACKDATE_MS) throw field('played_at', 'must be at most 30 days back');
}

/** A month's quota of one FREE player: one event per match recorded, so 50 parallel requests claim at most what is left. */
export type QuotaEvent = DomainEvent<'CasualMatchQuotaUsed', { user_id: string; month: string; match_id: string }>;
export const quotaStream = (userId: string, month: string) => `casual-quota-${userId}-${month}`;
export const quotaEvolver = {
  initialState: () => ({ used: 0 }),
  evolve: (s: { used: number }, _e: QuotaEvent) => ({ used: s.used + 1 }),
};
export const monthOf = (now: Date) => now.toISOString().slice(0, 7);
export const monthReset = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();

export function premiumRequired(used: number, now: Date): DomainError {
  return new DomainError(
    'premium_required',
    402,
    `FREE players may record ${FREE_MATCHES_PER_MONTH} casual matches per calendar month (UTC); upgrade to premium for more.`,
    {
      limit: FREE_MATCHES_PER_MONTH,
      used,
      resets_at: monthReset(now),
    },
  );
}

export function decideQuota(s: { used: number }, userId: string, matchId: string, now: Date): QuotaEvent[] {
  if (s.used >= FREE_MATCHES_PER_MONTH) throw premiumRequired(s.used, now);
  return [{ type: 'CasualMatchQuotaUsed', data: { user_id: userId, month: monthOf(now), match_id: matchId } }];
}

export function decideVerify(s: CasualMatchState, me: string, decision: 'confirm' | 'dispute', now: Date): CasualMatchEvent[] {
  if (!s.exists || (s.creator !== me && s.opponent !== me)) throw notFound('casual_match_not_found', 'No such match.');
  if (s.opponent !== me) throw forbidden('not_the_opponent', 'Only the opponent verifies a match.');
  if (s.status === 'PENDING' && now.getTime() >= s.expires_at)
    throw conflict('casual_match_expired', 'Nobody answered within 7 days; the match has expired.');
  if (s.status !== 'PENDING') throw conflict('casual_match_already_answered', `This match is already ${s.status.toLowerCase()}.`);
  return [{ type: 'CasualMatchVerified', data: { match_id: s.match_id, by: me, decision, at: now.toISOString() } }];
}

export function decideExpire(s: CasualMatchState, now: Date): CasualMatchEvent[] {
  return s.exists && s.status === 'PENDING' && now.getTime() >= s.expires_at
    ? [{ type: 'CasualMatchExpired', data: { match_id: s.match_id, at: now.toISOString() } }]
    : [];
}

export function decideCancelForBlock(s: CasualMatchState, now: Date): CasualMatchEvent[] {
  return s.exists && s.status === 'PENDING'
    ? [{ type: 'CasualMatchCancelled', data: { match_id: s.match_id, reason: 'blocked', at: now.toISOString() } }]
    : [];
}
