import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import type { DeviceInfo, Location } from '../../shared/device.js';
import { notFound } from '../../shared/errors.js';
import { safeEqual } from '../../shared/crypto.js';
import { own } from '../../shared/ids.js';

/**
 * A session is a RefreshTokenFamily: one stream per family. Each refresh rotates the token;
 * a rotated token presented again revokes the whole family, except once, within the grace
 * (REFRESH_REUSE_GRACE_SECONDS, default 10 s) of its rotation and from the same client
 * (address and user agent) that rotated it: then the same successor is returned again (a
 * client's concurrent double refresh) and RefreshGraceUsed is recorded. From any other client
 * it is reuse, since the grace would otherwise hand the new pair to a thief of the old token.
 */
/**
 * Rotated hashes kept in the state. Older rotated tokens are still recognised (and revoke the
 * family) by the generation tag they carry, so the state, its snapshot and a refresh's cost stay
 * the same size however often a session is refreshed.
 */
export const PREVIOUS_KEPT = 4;

export type RevokeReason =
  | 'user'
  | 'revoke_all'
  | 'reuse_detected'
  | 'logout'
  | 'password_change'
  | 'operator'
  | 'expired'
  // account lifecycle (issue 16): every session of the person, or of one tenant, ends at once
  | 'password_reset'
  | 'membership_ended'
  | 'deactivated';

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
        /** The method that satisfied MFA at login (webauthn, trusted_device), or null. Older events lack it. */
        mfa_method?: string | null;
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
      {
        session_id: string;
        user_id: string;
        generation: number;
        refresh_hash: string;
        idle_expires_at: string;
        at: string;
        /** SHA-256 of the rotating client's address and user agent (absent on older events: no grace). */
        client_hash?: string;
      }
    >
  | DomainEvent<'RefreshGraceUsed', { session_id: string; user_id: string; generation: number; ip: string | null }>
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
  /** hash -> generation of the last PREVIOUS_KEPT rotated tokens of the family. */
  previous: Record<string, number>;
  rotated_at: number;
  /** The client that did the last rotation, and the generation whose grace was already used. */
  rotated_by: string | null;
  grace_used_generation: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  amr: string[];
  auth_time: number;
  mfa_at: number | null;
  /** Method of the newest second-factor verification (mfa_at's), or null. */
  mfa_method: string | null;
  /** Method -> epoch ms of its last verification in this session; the policy decides which count. */
  mfa_methods: Record<string, number>;
}

/** The login-time MFA method of a SessionStarted event (derived for events written before mfa_method existed). */
const startedMfaMethod = (d: { mfa_method?: string | null; method: string; amr: string[] }): string | null =>
  d.mfa_method !== undefined
    ? d.mfa_method
    : d.amr.includes('trusted_device')
      ? 'trusted_device'
      : d.method === 'passkey' && d.amr.includes('mfa')
        ? 'webauthn'
        : null;

export const sessionStream = (id: string) => `session-${id}`;
export const sessionEvolver = {
  snapshot: { schema: 1 },
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
    rotated_by: null,
    grace_used_generation: -1,
    idle_expires_at: 0,
    absolute_expires_at: 0,
    amr: [],
    auth_time: 0,
    mfa_at: null,
    mfa_method: null,
    mfa_methods: {},
  }),
  evolve(s: SessionState, e: SessionEvent): SessionState {
    switch (e.type) {
      case 'SessionStarted': {
        const method = startedMfaMethod(e.data);
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
          mfa_method: method,
          mfa_methods: method ? { [method]: Date.parse(e.data.auth_time) } : {},
        };
      }
      case 'RefreshTokenRotated':
        return {
          ...s,
          previous: Object.fromEntries([...Object.entries(s.previous), [s.current_hash, s.generation]].slice(-PREVIOUS_KEPT)),
          generation: e.data.generation,
          current_hash: e.data.refresh_hash,
          rotated_at: Date.parse(e.data.at),
          rotated_by: e.data.client_hash ?? null,
          idle_expires_at: Date.parse(e.data.idle_expires_at),
        };
      case 'RefreshGraceUsed':
        return { ...s, grace_used_generation: e.data.generation };
      case 'SessionMfaSatisfied':
        return {
          ...s,
          amr: [...new Set([...s.amr, ...e.data.amr])],
          mfa_at: Date.parse(e.data.mfa_at),
          mfa_method: e.data.method,
          mfa_methods: { ...s.mfa_methods, [e.data.method]: Date.parse(e.data.mfa_at) },
        };
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
  | { kind: 'grace'; events: SessionEvent[] }
  | { kind: 'reuse'; events: SessionEvent[] }
  | { kind: 'expired'; events: SessionEvent[] }
  | { kind: 'revoked' }
  | { kind: 'unknown' };

/** Who presents a refresh token, and the grace for a concurrent double refresh (0 disables it). */
export interface RefreshClient {
  /** SHA-256 of the client address and user agent. */
  hash: string;
  ip: string | null;
  graceMs: number;
}

/**
 * What presenting a refresh token (by its hash) means for this family at `now`. A secret that
 * is not one of the family's tokens is `unknown` whatever the family's state, so a guessed
 * secret beside a real session id learns nothing (no revoked/expired oracle).
 * `presentedGeneration` is the generation the token's server-keyed tag proves it was minted
 * for (undefined for an untagged token): it identifies rotated tokens older than `previous`.
 */
export function decideRefresh(
  s: SessionState,
  presentedHash: string,
  nextHash: string,
  now: number,
  idleMs: number,
  client: RefreshClient,
  presentedGeneration?: number,
): RefreshDecision {
  if (!s.exists) return { kind: 'unknown' };
  const isCurrent = safeEqual(presentedHash, s.current_hash);
  // a keyed lookup by the SHA-256 of a 256-bit token: its timing reveals nothing usable
  const tagged = presentedGeneration !== undefined && presentedGeneration < s.generation ? presentedGeneration : undefined;
  const gen = isCurrent ? undefined : (own(s.previous, presentedHash) ?? tagged);
  if (!isCurrent && gen === undefined) return { kind: 'unknown' };
  if (!s.active) return { kind: 'revoked' };
  const revoke = (reason: RevokeReason): SessionEvent => ({
    type: 'SessionRevoked',
    data: { session_id: s.session_id, user_id: s.user_id, reason, by: null },
  });
  if (isCurrent) {
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
            client_hash: client.hash,
          },
        },
      ],
    };
  }
  const inGrace =
    client.graceMs > 0 &&
    gen === s.generation - 1 &&
    now - s.rotated_at <= client.graceMs &&
    s.rotated_by !== null &&
    safeEqual(client.hash, s.rotated_by) &&
    s.grace_used_generation !== s.generation &&
    safeEqual(nextHash, s.current_hash);
  if (inGrace)
    return {
      kind: 'grace',
      events: [
        { type: 'RefreshGraceUsed', data: { session_id: s.session_id, user_id: s.user_id, generation: s.generation, ip: client.ip } },
      ],
    };
  return {
    kind: 'reuse',
    events: [
      {
        type: 'RefreshTokenReuseDetected',
        data: { session_id: s.session_id, user_id: s.user_id, presented_generation: gen!, current_generation: s.generation },
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
