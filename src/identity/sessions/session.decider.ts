import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import type { DeviceInfo, Location } from '../../shared/device.js';
import { notFound } from '../../shared/errors.js';
import { safeEqual } from '../../shared/crypto.js';

/**
 * A session is a RefreshTokenFamily: one stream per family. Each refresh rotates the token;
 * a rotated token presented again revokes the whole family, except within REFRESH_GRACE_MS
 * of its rotation, when the same successor is returned again (a client's concurrent double
 * refresh — both requests get the same new pair, nothing is revoked).
 */
export const REFRESH_GRACE_MS = 10_000;

export type RevokeReason = 'user' | 'revoke_all' | 'reuse_detected' | 'logout' | 'password_change' | 'operator' | 'expired';

export type SessionEvent =
  | DomainEvent<
      'SessionStarted',
      {
        session_id: string;
        user_id: string;
        tenant_id: string;
        refresh_hash: string;
        method: string;
        amr: string[];
        auth_time: string;
        mfa_at: string | null;
        ip: string | null;
        device: DeviceInfo;
        device_key: string;
        location: Location | null;
        new_device: boolean;
        idle_expires_at: string;
        absolute_expires_at: string;
      }
    >
  | DomainEvent<
      'RefreshTokenRotated',
      { session_id: string; user_id: string; generation: number; refresh_hash: string; idle_expires_at: string; at: string }
    >
  | DomainEvent<'SessionMfaSatisfied', { session_id: string; user_id: string; method: string; amr: string[]; mfa_at: string }>
  | DomainEvent<
      'RefreshTokenReuseDetected',
      { session_id: string; user_id: string; presented_generation: number; current_generation: number }
    >
  | DomainEvent<'SessionRevoked', { session_id: string; user_id: string; reason: RevokeReason; by: string | null }>;

export interface SessionState {
  exists: boolean;
  session_id: string;
  user_id: string;
  tenant_id: string;
  active: boolean;
  generation: number;
  current_hash: string;
  /** hash -> generation, for every rotated token of the family. */
  previous: Record<string, number>;
  rotated_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  amr: string[];
  auth_time: number;
  mfa_at: number | null;
}

export const sessionStream = (id: string) => `session-${id}`;
export const sessionEvolver = {
  initialState: (): SessionState => ({
    exists: false,
    session_id: '',
    user_id: '',
    tenant_id: '',
    active: false,
    generation: 0,
    current_hash: '',
    previous: {},
    rotated_at: 0,
    idle_expires_at: 0,
    absolute_expires_at: 0,
    amr: [],
    auth_time: 0,
    mfa_at: null,
  }),
  evolve(s: SessionState, e: SessionEvent): SessionState {
    switch (e.type) {
      case 'SessionStarted':
        return {
          ...s,
          exists: true,
          active: true,
          session_id: e.data.session_id,
          user_id: e.data.user_id,
          tenant_id: e.data.tenant_id,
          current_hash: e.data.refresh_hash,
          idle_expires_at: Date.parse(e.data.idle_expires_at),
          absolute_expires_at: Date.parse(e.data.absolute_expires_at),
          amr: e.data.amr,
          auth_time: Date.parse(e.data.auth_time),
          mfa_at: e.data.mfa_at ? Date.parse(e.data.mfa_at) : null,
        };
      case 'RefreshTokenRotated':
        return {
          ...s,
          previous: { ...s.previous, [s.current_hash]: s.generation },
          generation: e.data.generation,
          current_hash: e.data.refresh_hash,
          rotated_at: Date.parse(e.data.at),
          idle_expires_at: Date.parse(e.data.idle_expires_at),
        };
      case 'SessionMfaSatisfied':
        return { ...s, amr: [...new Set([...s.amr, ...e.data.amr])], mfa_at: Date.parse(e.data.mfa_at) };
      case 'RefreshTokenReuseDetected':
        return s;
      case 'SessionRevoked':
        return { ...s, active: false };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

export type RefreshDecision =
  | { kind: 'rotate'; events: SessionEvent[] }
  | { kind: 'grace' }
  | { kind: 'reuse'; events: SessionEvent[] }
  | { kind: 'expired'; events: SessionEvent[] }
  | { kind: 'revoked' }
  | { kind: 'unknown' };

/** What presenting a refresh token (by its hash) means for this family at `now`. */
export function decideRefresh(s: SessionState, presentedHash: string, nextHash: string, now: number, idleMs: number): RefreshDecision {
  if (!s.exists) return { kind: 'unknown' };
  if (!s.active) return { kind: 'revoked' };
  const revoke = (reason: RevokeReason): SessionEvent => ({
    type: 'SessionRevoked',
    data: { session_id: s.session_id, user_id: s.user_id, reason, by: null },
  });
  if (safeEqual(presentedHash, s.current_hash)) {
    if (now >= s.absolute_expires_at || now >= s.idle_expires_at) return { kind: 'expired', events: [revoke('expired')] };
    return {
      kind: 'rotate',
      events: [
        {
          type: 'RefreshTokenRotated',
          data: {
            session_id: s.session_id,
            user_id: s.user_id,
            generation: s.generation + 1,
            refresh_hash: nextHash,
            idle_expires_at: new Date(Math.min(now + idleMs, s.absolute_expires_at)).toISOString(),
            at: new Date(now).toISOString(),
          },
        },
      ],
    };
  }
  // a keyed lookup by the SHA-256 of a 256-bit token: its timing reveals nothing usable
  const gen = s.previous[presentedHash];
  if (gen === undefined) return { kind: 'unknown' };
  if (gen === s.generation - 1 && now - s.rotated_at <= REFRESH_GRACE_MS && safeEqual(nextHash, s.current_hash)) return { kind: 'grace' };
  return {
    kind: 'reuse',
    events: [
      {
        type: 'RefreshTokenReuseDetected',
        data: { session_id: s.session_id, user_id: s.user_id, presented_generation: gen, current_generation: s.generation },
      },
      revoke('reuse_detected'),
    ],
  };
}

export function decideRevoke(s: SessionState, userId: string, reason: RevokeReason, by: string | null): SessionEvent[] {
  if (!s.exists || s.user_id !== userId) throw notFound('session_not_found', 'No such session.');
  if (!s.active) return [];
  return [{ type: 'SessionRevoked', data: { session_id: s.session_id, user_id: s.user_id, reason, by } }];
}
