import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { safeEqual } from '../../shared/crypto.js';

/**
 * Forgotten password (issue 16 item 1), pure. Two kinds of stream:
 * - `pwreset-sends-<address key>-<hour>`: the requests for one address in one clock hour (at most
 *   MAX per hour are appended, so each stream stays tiny); the limit looks at this hour and the
 *   previous one, which makes it a sliding hour.
 * - `pwreset-<reset id>`: one link: the SHA-256 of its token, its expiry, the password epoch it was
 *   issued under (a later change or reset kills it), and its single use.
 * Unknown addresses go through the same appends with user_id null, so both paths cost the same.
 */
export type PasswordResetEvent =
  | DomainEvent<'PasswordResetRequested', { reset_id: string; address_key: string; user_id: string | null; at: string }>
  | DomainEvent<
      'PasswordResetTokenIssued',
      { reset_id: string; user_id: string | null; token_hash: string; password_epoch: number; expires_at: string }
    >
  | DomainEvent<'PasswordResetTokenUsed', { reset_id: string; user_id: string }>;

export const HOUR_MS = 3_600_000;
export const sendsStream = (addressKey: string, hourStart: number) => `pwreset-sends-${addressKey}-${hourStart}`;
export const resetStream = (resetId: string) => `pwreset-${resetId}`;

export interface SendsState {
  times: number[];
}
export const sendsEvolver = {
  initialState: (): SendsState => ({ times: [] }),
  evolve: (s: SendsState, e: PasswordResetEvent): SendsState =>
    e.type === 'PasswordResetRequested' ? { times: [...s.times, Date.parse(e.data.at)] } : s,
};

/** Whether one more link may be sent: fewer than `max` requests in the last hour (this hour's and the previous hour's stream). */
export function maySend(previous: SendsState, current: SendsState, now: number, max: number): boolean {
  return [...previous.times, ...current.times].filter((t) => t > now - HOUR_MS).length < max;
}

export interface ResetState {
  exists: boolean;
  reset_id: string;
  user_id: string | null;
  token_hash: string;
  password_epoch: number;
  expires_at: number;
  used: boolean;
}
export const resetEvolver = {
  initialState: (): ResetState => ({
    exists: false,
    reset_id: '',
    user_id: null,
    token_hash: '',
    password_epoch: 0,
    expires_at: 0,
    used: false,
  }),
  evolve(s: ResetState, e: PasswordResetEvent): ResetState {
    switch (e.type) {
      case 'PasswordResetTokenIssued':
        return {
          exists: true,
          reset_id: e.data.reset_id,
          user_id: e.data.user_id,
          token_hash: e.data.token_hash,
          password_epoch: e.data.password_epoch,
          expires_at: Date.parse(e.data.expires_at),
          used: false,
        };
      case 'PasswordResetTokenUsed':
        return { ...s, used: true };
      default:
        return s;
    }
  },
};

export type TokenProblem = 'invalid_reset_token' | 'reset_token_used' | 'reset_token_expired' | 'reset_token_superseded';

/** Why a presented token cannot be used now, or null. Only the holder of the real token learns more than "invalid". */
export function tokenProblem(s: ResetState, presentedHash: string, now: number, currentEpoch: number | null): TokenProblem | null {
  if (!s.exists || !s.user_id || !safeEqual(presentedHash, s.token_hash) || currentEpoch === null) return 'invalid_reset_token';
  if (s.used) return 'reset_token_used';
  if (now >= s.expires_at) return 'reset_token_expired';
  if (currentEpoch !== s.password_epoch) return 'reset_token_superseded';
  return null;
}

export function decideUseToken(
  s: ResetState,
  presentedHash: string,
  now: number,
  currentEpoch: number,
): PasswordResetEvent[] | TokenProblem {
  const problem = tokenProblem(s, presentedHash, now, currentEpoch);
  if (problem) return problem;
  return [{ type: 'PasswordResetTokenUsed', data: { reset_id: s.reset_id, user_id: s.user_id! } }];
}
