import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest } from '../../shared/errors.js';

/**
 * A WebAuthn challenge as a tiny aggregate: one stream per challenge (keyed by its SHA-256),
 * issued bound to a session (registration, step-up) or to a passwordless attempt, consumed
 * at most once (the consume append is version-checked), valid for 5 minutes.
 */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export type ChallengePurpose = 'register' | 'authenticate' | 'passwordless';

export type ChallengeEvent =
  | DomainEvent<
      'WebAuthnChallengeIssued',
      {
        challenge_hash: string;
        purpose: ChallengePurpose;
        user_id: string | null;
        session_id: string | null;
        attempt_id: string | null;
        expires_at: string;
      }
    >
  | DomainEvent<'WebAuthnChallengeConsumed', { challenge_hash: string; consumed_at: string }>;

export interface ChallengeState {
  exists: boolean;
  purpose: ChallengePurpose | null;
  user_id: string | null;
  session_id: string | null;
  attempt_id: string | null;
  expires_at: number;
  consumed: boolean;
}

export const challengeStream = (challengeHash: string) => `webauthn-challenge-${challengeHash}`;

export const challengeEvolver = {
  initialState: (): ChallengeState => ({
    exists: false,
    purpose: null,
    user_id: null,
    session_id: null,
    attempt_id: null,
    expires_at: 0,
    consumed: false,
  }),
  evolve(s: ChallengeState, e: ChallengeEvent): ChallengeState {
    switch (e.type) {
      case 'WebAuthnChallengeIssued':
        return {
          ...s,
          exists: true,
          purpose: e.data.purpose,
          user_id: e.data.user_id,
          session_id: e.data.session_id,
          attempt_id: e.data.attempt_id,
          expires_at: Date.parse(e.data.expires_at),
        };
      case 'WebAuthnChallengeConsumed':
        return { ...s, consumed: true };
      default:
        return s;
    }
  },
};

export interface IssueChallenge {
  challenge_hash: string;
  purpose: ChallengePurpose;
  user_id: string | null;
  session_id: string | null;
  attempt_id: string | null;
  now: number;
}

export function decideIssue(s: ChallengeState, c: IssueChallenge): ChallengeEvent[] {
  if (s.exists) throw new Error('challenge collision'); // 256 random bits: never happens
  return [
    {
      type: 'WebAuthnChallengeIssued',
      data: {
        challenge_hash: c.challenge_hash,
        purpose: c.purpose,
        user_id: c.user_id,
        session_id: c.session_id,
        attempt_id: c.attempt_id,
        expires_at: new Date(c.now + CHALLENGE_TTL_MS).toISOString(),
      },
    },
  ];
}

export interface ConsumeChallenge {
  challenge_hash: string;
  purpose: ChallengePurpose;
  /** The caller's binding: its session (register/authenticate) or its attempt id (passwordless). */
  session_id?: string;
  attempt_id?: string;
  now: number;
}

export const challengeInvalid = (detail: string) => badRequest('webauthn_challenge_invalid', detail);

/** Consumes the challenge once; a replayed, foreign, wrong-purpose or expired challenge is refused. */
export function decideConsume(s: ChallengeState, c: ConsumeChallenge): ChallengeEvent[] {
  if (!s.exists) throw challengeInvalid('The challenge in this response was not issued by this server.');
  if (s.purpose !== c.purpose) throw challengeInvalid('The challenge in this response was issued for another ceremony.');
  if (c.purpose === 'passwordless' ? s.attempt_id !== c.attempt_id : s.session_id !== c.session_id)
    throw challengeInvalid(
      c.purpose === 'passwordless'
        ? 'The challenge does not belong to this sign-in attempt.'
        : 'The challenge was issued to another session.',
    );
  if (s.consumed) throw challengeInvalid('The challenge has already been used; request new options.');
  if (c.now > s.expires_at) throw challengeInvalid('The challenge has expired; request new options.');
  return [{ type: 'WebAuthnChallengeConsumed', data: { challenge_hash: c.challenge_hash, consumed_at: new Date(c.now).toISOString() } }];
}
