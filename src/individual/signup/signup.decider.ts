import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { safeEqual } from '../../shared/crypto.js';

/**
 * The 30-second signup (F02.08.01), pure. Two kinds of stream:
 * - `individual-signup-sends-<address key>-<hour>`: the signups asked for one address in one clock
 *   hour (new and existing addresses alike, so the limit is no oracle), bounded by the limit;
 * - `individual-signup-<challenge id>`: one code (keyed hash, 10 minutes, 5 tries, single use) and
 *   what the account will be made of (the password is already an argon2id hash).
 */
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_TRIES = 5;
export const MAX_PER_ADDRESS_PER_HOUR = 3;

export interface Profile {
  display_name: string;
  country: string;
  language: 'sv' | 'en';
}

export type SignupEvent =
  | DomainEvent<'IndividualSignupRequested', { address_key: string; challenge_id: string | null; at: string }>
  | DomainEvent<
      'IndividualSignupCodeIssued',
      { challenge_id: string; address_key: string; email: string; code_hash: string; password_hash: string; expires_at: string } & Profile
    >
  | DomainEvent<'IndividualSignupCodeFailed', { challenge_id: string; failures: number; locked: boolean }>
  | DomainEvent<'IndividualSignupCompleted', { challenge_id: string; tenant_id: string }>;

export const signupSendsStream = (addressKey: string, hourStart: number) => `individual-signup-sends-${addressKey}-${hourStart}`;
export const signupStream = (challengeId: string) => `individual-signup-${challengeId}`;

/** The hour bucket: request times and the newest challenge (null for an address that already has an account). */
export interface SignupSends {
  times: number[];
  latest: string | null;
}
export const signupSendsEvolver = {
  initialState: (): SignupSends => ({ times: [], latest: null }),
  evolve: (s: SignupSends, e: SignupEvent): SignupSends =>
    e.type === 'IndividualSignupRequested' ? { times: [...s.times, Date.parse(e.data.at)], latest: e.data.challenge_id } : s,
};

export interface Challenge {
  exists: boolean;
  challenge_id: string;
  email: string;
  code_hash: string;
  password_hash: string;
  profile: Profile;
  expires_at: number;
  failures: number;
  locked: boolean;
  used: boolean;
}
export const challengeEvolver = {
  initialState: (): Challenge => ({
    exists: false,
    challenge_id: '',
    email: '',
    code_hash: '',
    password_hash: '',
    profile: { display_name: '', country: '', language: 'en' },
    expires_at: 0,
    failures: 0,
    locked: false,
    used: false,
  }),
  evolve(s: Challenge, e: SignupEvent): Challenge {
    switch (e.type) {
      case 'IndividualSignupCodeIssued': {
        const d = e.data;
        return {
          ...s,
          exists: true,
          challenge_id: d.challenge_id,
          email: d.email,
          code_hash: d.code_hash,
          password_hash: d.password_hash,
          profile: { display_name: d.display_name, country: d.country, language: d.language },
          expires_at: Date.parse(d.expires_at),
        };
      }
      case 'IndividualSignupCodeFailed':
        return { ...s, failures: e.data.failures, locked: e.data.locked };
      case 'IndividualSignupCompleted':
        return { ...s, used: true };
      default:
        return s;
    }
  },
};

/** Sliding hour over this hour's and the previous hour's bucket. */
export function retryAfterMs(previous: SignupSends, current: SignupSends, now: number): number | null {
  const recent = [...previous.times, ...current.times].filter((t) => t > now - 3_600_000).sort((a, b) => a - b);
  if (recent.length < MAX_PER_ADDRESS_PER_HOUR) return null;
  return recent[recent.length - MAX_PER_ADDRESS_PER_HOUR]! + 3_600_000 - now;
}

export type CodeProblem = 'invalid_code' | 'code_expired' | 'code_locked';

/** A code check: the success event, or the failure event(s) and the problem to answer. */
export function decideCode(s: Challenge, presentedHash: string, now: number): { events: SignupEvent[]; problem: CodeProblem | null } {
  if (!s.exists || s.used) return { events: [], problem: 'invalid_code' };
  if (s.locked) return { events: [], problem: 'code_locked' };
  if (now >= s.expires_at) return { events: [], problem: 'code_expired' };
  if (safeEqual(presentedHash, s.code_hash)) return { events: [], problem: null };
  const failures = s.failures + 1;
  const locked = failures >= MAX_TRIES;
  return {
    events: [{ type: 'IndividualSignupCodeFailed', data: { challenge_id: s.challenge_id, failures, locked } }],
    problem: locked ? 'code_locked' : 'invalid_code',
  };
}
