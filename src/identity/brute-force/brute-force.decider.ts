import type { DomainEvent } from '../../eventstore/aggregate-repository.js';

/**
 * BruteForceRecord (F02.07.09) as a pure decider. One stream per counter (per account for
 * login, per user across all MFA factors). An attempt is first *claimed*: while a claim is in
 * flight no other attempt is evaluated, which is what makes 50 parallel wrong guesses
 * evaluate at most one. Each consecutive failure refuses the next attempt for 1, 2, 4, 8, 16,
 * then 30 s (cap); success resets. After LOCK_AFTER consecutive failures (NIST SP 800-63B
 * §5.2.2) the credential is locked until an operator reset or a recovery path.
 */
export const BACKOFF_SECONDS = [1, 2, 4, 8, 16, 30] as const;
export const LOCK_AFTER = 100;
/** A claim whose attempt never resolved (crashed process) stops blocking after this long. */
export const CLAIM_TTL_MS = 10_000;

export type BruteForceScope = 'login' | 'mfa';

export type BruteForceEvent =
  | DomainEvent<'AttemptClaimed', { key: string; scope: BruteForceScope; user_id: string | null; factor: string | null; at: string }>
  | DomainEvent<
      'AttemptFailed',
      { key: string; scope: BruteForceScope; user_id: string | null; factor: string | null; failures: number; retry_at: string }
    >
  | DomainEvent<
      'AttemptSucceeded',
      { key: string; scope: BruteForceScope; user_id: string | null; factor: string | null; previous_failures: number }
    >
  | DomainEvent<'CredentialLocked', { key: string; scope: BruteForceScope; user_id: string | null; failures: number }>
  | DomainEvent<'CredentialUnlocked', { key: string; scope: BruteForceScope; user_id: string | null; by: string; reason: string }>;

export interface BruteForceState {
  failures: number;
  retryAt: number;
  claimedAt: number | null;
  locked: boolean;
}

export const initialBruteForce = (): BruteForceState => ({ failures: 0, retryAt: 0, claimedAt: null, locked: false });

export function backoffSeconds(failures: number): number {
  if (failures <= 0) return 0;
  return BACKOFF_SECONDS[Math.min(failures, BACKOFF_SECONDS.length) - 1]!;
}

export function evolveBruteForce(s: BruteForceState, e: BruteForceEvent): BruteForceState {
  switch (e.type) {
    case 'AttemptClaimed':
      return { ...s, claimedAt: Date.parse(e.data.at) };
    case 'AttemptFailed':
      return { ...s, failures: e.data.failures, retryAt: Date.parse(e.data.retry_at), claimedAt: null };
    case 'AttemptSucceeded':
      return { ...s, failures: 0, retryAt: 0, claimedAt: null };
    case 'CredentialLocked':
      return { ...s, locked: true, claimedAt: null };
    case 'CredentialUnlocked':
      return { ...initialBruteForce() };
    default: {
      const never: never = e;
      return never;
    }
  }
}

export type Refusal = { kind: 'locked' } | { kind: 'wait'; retryAfterSeconds: number };

/** Whether an attempt may be evaluated now; null when it may. */
export function refusal(s: BruteForceState, now: number): Refusal | null {
  if (s.locked) return { kind: 'locked' };
  if (s.claimedAt !== null && now - s.claimedAt < CLAIM_TTL_MS) return { kind: 'wait', retryAfterSeconds: 1 };
  if (now < s.retryAt) return { kind: 'wait', retryAfterSeconds: Math.max(1, Math.ceil((s.retryAt - now) / 1000)) };
  return null;
}

/** The events recording a failed attempt (and the lock when the threshold is reached). */
export function failureEvents(
  s: BruteForceState,
  base: { key: string; scope: BruteForceScope; user_id: string | null; factor: string | null },
  now: number,
): BruteForceEvent[] {
  const failures = s.failures + 1;
  const events: BruteForceEvent[] = [
    { type: 'AttemptFailed', data: { ...base, failures, retry_at: new Date(now + backoffSeconds(failures) * 1000).toISOString() } },
  ];
  if (failures >= LOCK_AFTER)
    events.push({ type: 'CredentialLocked', data: { key: base.key, scope: base.scope, user_id: base.user_id, failures } });
  return events;
}
