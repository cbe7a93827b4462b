/**
 * Which second-factor verification of a session counts, under a tenant's `allowed_methods`.
 * Pure, so the policy (login-time MFA) and step-up (fresh window) apply one rule.
 *
 * A session records, per method, when it was last verified (`mfa_methods`, epoch seconds).
 * - Possession factors (totp, sms, webauthn) count when the policy allows them.
 * - A recovery code stands in for the user's possession factor: it counts when the user has a
 *   possession factor of an allowed method (recovery codes exist only beside one).
 * - E-mail OTP is the break-glass fallback: it satisfies login-time MFA only for a user who has a
 *   possession factor and only when the policy allows `email`; it is never a step-up.
 * - A trusted device satisfies login-time MFA (it was added under a fresh second factor), never step-up.
 */
export const POSSESSION_METHODS = ['totp', 'sms', 'webauthn'] as const;
export type PossessionMethod = (typeof POSSESSION_METHODS)[number];

/** Method -> epoch seconds of its last verification in this session. */
export type SessionMfa = Readonly<Record<string, number>>;

export const isPossessionMethod = (m: string): m is PossessionMethod => (POSSESSION_METHODS as readonly string[]).includes(m);

type Purpose = 'policy' | 'step_up';

export function methodCounts(method: string, purpose: Purpose, allowed: readonly string[], possession: readonly string[]): boolean {
  if (isPossessionMethod(method)) return allowed.includes(method);
  switch (method) {
    case 'recovery_code':
      return possession.some((p) => allowed.includes(p));
    case 'email':
      return purpose === 'policy' && allowed.includes('email') && possession.length > 0;
    case 'trusted_device':
      return purpose === 'policy';
    default:
      return false;
  }
}

/** True when some verification of the session satisfies the tenant's policy (login-time MFA). */
export function satisfiesPolicy(mfa: SessionMfa, allowed: readonly string[], possession: readonly string[]): boolean {
  return Object.keys(mfa).some((m) => methodCounts(m, 'policy', allowed, possession));
}

/** Epoch seconds of the newest verification that counts as a step-up, or null. */
export function lastStepUp(mfa: SessionMfa, allowed: readonly string[], possession: readonly string[]): number | null {
  let best: number | null = null;
  for (const [m, at] of Object.entries(mfa)) {
    if (methodCounts(m, 'step_up', allowed, possession) && (best === null || at > best)) best = at;
  }
  return best;
}

/** The method of the session's newest verification that could be a step-up anywhere (a possession factor or a recovery code). */
export function lastStepUpMethod(mfa: SessionMfa, possession: readonly string[]): string | null {
  let best: [string, number] | null = null;
  for (const [m, at] of Object.entries(mfa)) {
    if (methodCounts(m, 'step_up', [...POSSESSION_METHODS], possession) && (!best || at > best[1])) best = [m, at];
  }
  return best?.[0] ?? null;
}

/** Step-up: a counting verification no older than `windowSeconds` at `nowSeconds`. */
export function isFreshFor(
  mfa: SessionMfa,
  allowed: readonly string[],
  possession: readonly string[],
  windowSeconds: number,
  nowSeconds: number,
): boolean {
  const at = lastStepUp(mfa, allowed, possession);
  return at !== null && nowSeconds - at <= windowSeconds;
}
