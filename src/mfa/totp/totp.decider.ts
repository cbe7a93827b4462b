import type { DomainEvent, Evolver } from '../../eventstore/aggregate-repository.js';
import type { Sealed } from '../../shared/crypto.js';
import type { TotpParams } from './totp.core.js';

/**
 * TotpFactor aggregate, one stream per user. The seed only ever appears sealed (AES-256-GCM,
 * key id inside). A new seed stays pending until a code proves the app has it; only then does
 * it replace the active one. The last accepted time step is recorded so a code can be used
 * once: appends carry the expected version, so two concurrent uses of one step cannot both win.
 */
export const totpStream = (userId: string) => `totp-${userId}`;

export type TotpEvent =
  | DomainEvent<
      'TotpEnrollmentStarted',
      { user_id: string; secret: Sealed; algorithm: TotpParams['algorithm']; digits: number; period: number; replaces_active: boolean }
    >
  | DomainEvent<'MfaEnrolled', { user_id: string; method: 'totp'; accepted_step: number; replaced: boolean }>
  | DomainEvent<'TotpCodeAccepted', { user_id: string; step: number }>
  | DomainEvent<'TotpReplayRejected', { user_id: string; step: number; purpose: 'verify' }>
  | DomainEvent<'MfaDisabled', { user_id: string; method: 'totp' }>;

export interface TotpSeed {
  secret: Sealed;
  params: TotpParams;
}

export interface TotpState {
  active: TotpSeed | null;
  pending: TotpSeed | null;
  /** Highest time step accepted for the active seed (-1: none). */
  lastStep: number;
}

export const initialTotp = (): TotpState => ({ active: null, pending: null, lastStep: -1 });

export function evolveTotp(s: TotpState, e: TotpEvent): TotpState {
  switch (e.type) {
    case 'TotpEnrollmentStarted':
      return {
        ...s,
        pending: { secret: e.data.secret, params: { algorithm: e.data.algorithm, digits: e.data.digits as 6 | 8, period: e.data.period } },
      };
    case 'MfaEnrolled':
      return { active: s.pending, pending: null, lastStep: e.data.accepted_step };
    case 'TotpCodeAccepted':
      return { ...s, lastStep: Math.max(s.lastStep, e.data.step) };
    case 'TotpReplayRejected':
      return s;
    case 'MfaDisabled':
      return initialTotp();
    default: {
      const never: never = e;
      return never;
    }
  }
}

export const totpEvolver: Evolver<TotpState, TotpEvent> = { initialState: initialTotp, evolve: evolveTotp, snapshot: { schema: 1 } };

/** Finds the time step a code matches for a seed (decrypts and checks; no state of its own). */
export type StepMatcher = (seed: TotpSeed) => number | null;

export function decideStartEnrollment(s: TotpState, userId: string, seed: TotpSeed): TotpEvent[] {
  return [
    {
      type: 'TotpEnrollmentStarted',
      data: {
        user_id: userId,
        secret: seed.secret,
        algorithm: seed.params.algorithm,
        digits: seed.params.digits,
        period: seed.params.period,
        replaces_active: s.active !== null,
      },
    },
  ];
}

export type ConfirmDecision = { kind: 'no_pending' } | { kind: 'invalid' } | { kind: 'confirmed'; events: TotpEvent[] };

export function decideConfirm(s: TotpState, userId: string, match: StepMatcher): ConfirmDecision {
  if (!s.pending) return { kind: 'no_pending' };
  const step = match(s.pending);
  if (step === null) return { kind: 'invalid' };
  return {
    kind: 'confirmed',
    events: [{ type: 'MfaEnrolled', data: { user_id: userId, method: 'totp', accepted_step: step, replaced: s.active !== null } }],
  };
}

export type VerifyDecision =
  | { kind: 'not_enrolled' }
  | { kind: 'invalid' }
  | { kind: 'replay'; events: TotpEvent[] }
  | { kind: 'accepted'; step: number; events: TotpEvent[] };

export function decideVerify(s: TotpState, userId: string, match: StepMatcher): VerifyDecision {
  if (!s.active) return { kind: 'not_enrolled' };
  const step = match(s.active);
  if (step === null) return { kind: 'invalid' };
  if (step <= s.lastStep)
    return { kind: 'replay', events: [{ type: 'TotpReplayRejected', data: { user_id: userId, step, purpose: 'verify' } }] };
  return { kind: 'accepted', step, events: [{ type: 'TotpCodeAccepted', data: { user_id: userId, step } }] };
}

export function decideDisable(s: TotpState, userId: string): TotpEvent[] | null {
  if (!s.active && !s.pending) return null;
  return [{ type: 'MfaDisabled', data: { user_id: userId, method: 'totp' } }];
}
