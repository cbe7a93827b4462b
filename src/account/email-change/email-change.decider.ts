import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { safeEqual } from '../../shared/crypto.js';

/**
 * E-mail change (issue 16 item 3), pure. One stream per user; a request holds the new address
 * and the keyed hash of a 6-digit code sent to it. The address changes only when that code is
 * confirmed (then EmailChanged on the user stream, after the new address is reserved).
 */
export const MAX_CODE_ATTEMPTS = 5;
export const MAX_REQUESTS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

export type EmailChangeEvent =
  | DomainEvent<
      'EmailChangeRequested',
      { change_id: string; user_id: string; new_email: string; code_hash: string; expires_at: string; at: string }
    >
  | DomainEvent<'EmailChangeCodeRejected', { change_id: string; user_id: string; attempts: number }>
  | DomainEvent<'EmailChangeConfirmed', { change_id: string; user_id: string }>;

export interface PendingChange {
  change_id: string;
  new_email: string;
  code_hash: string;
  expires_at: number;
  attempts: number;
  done: boolean;
}
export interface EmailChangeState {
  pending: PendingChange | null;
  /** The last request times (at most MAX_REQUESTS_PER_HOUR kept: the state stays small). */
  recent: number[];
}

export const emailChangeStream = (userId: string) => `email-change-${userId}`;
export const emailChangeEvolver = {
  initialState: (): EmailChangeState => ({ pending: null, recent: [] }),
  evolve(s: EmailChangeState, e: EmailChangeEvent): EmailChangeState {
    switch (e.type) {
      case 'EmailChangeRequested': {
        const { change_id, new_email, code_hash } = e.data;
        return {
          pending: { change_id, new_email, code_hash, expires_at: Date.parse(e.data.expires_at), attempts: 0, done: false },
          recent: [...s.recent, Date.parse(e.data.at)].slice(-MAX_REQUESTS_PER_HOUR),
        };
      }
      case 'EmailChangeCodeRejected':
        return s.pending?.change_id === e.data.change_id ? { ...s, pending: { ...s.pending, attempts: e.data.attempts } } : s;
      case 'EmailChangeConfirmed':
        return s.pending?.change_id === e.data.change_id ? { ...s, pending: { ...s.pending, done: true } } : s;
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

/** Seconds to wait before another request, or 0. */
export function requestWait(s: EmailChangeState, now: number): number {
  const inHour = s.recent.filter((t) => t > now - HOUR_MS);
  if (inHour.length < MAX_REQUESTS_PER_HOUR) return 0;
  return Math.max(1, Math.ceil((inHour[0]! + HOUR_MS - now) / 1000));
}

export type ConfirmResult =
  | { ok: true; change: PendingChange; events: EmailChangeEvent[] }
  | {
      ok: false;
      reason: 'no_pending_email_change' | 'email_change_expired' | 'email_change_locked' | 'invalid_code';
      events: EmailChangeEvent[];
    };

/** Checks a code against the pending change (the candidate hash is keyed by its change id). */
export function decideConfirm(
  s: EmailChangeState,
  userId: string,
  candidateHash: (changeId: string) => string,
  now: number,
): ConfirmResult {
  const p = s.pending;
  if (!p || p.done) return { ok: false, reason: 'no_pending_email_change', events: [] };
  if (p.attempts >= MAX_CODE_ATTEMPTS) return { ok: false, reason: 'email_change_locked', events: [] };
  if (now >= p.expires_at) return { ok: false, reason: 'email_change_expired', events: [] };
  if (safeEqual(candidateHash(p.change_id), p.code_hash))
    return { ok: true, change: p, events: [{ type: 'EmailChangeConfirmed', data: { change_id: p.change_id, user_id: userId } }] };
  const attempts = p.attempts + 1;
  return {
    ok: false,
    reason: attempts >= MAX_CODE_ATTEMPTS ? 'email_change_locked' : 'invalid_code',
    events: [{ type: 'EmailChangeCodeRejected', data: { change_id: p.change_id, user_id: userId, attempts } }],
  };
}
