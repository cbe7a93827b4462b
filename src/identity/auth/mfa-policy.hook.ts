import type { AuthContext } from './auth-context.js';
import type { PossessionMethod } from './mfa-evidence.js';

/**
 * The seam between authentication and the per-tenant MFA policy. The policy context
 * provides it; without one, nothing is enforced and the fresh window is 300 s.
 */
export interface MfaPolicyHook {
  /** Throws 403 mfa_enrolment_required or 401 mfa_required when the policy is not met. */
  enforce(auth: AuthContext): Promise<void>;
  freshWindowSeconds(tenantId: string): Promise<number>;
  allowedMethods(tenantId: string): Promise<string[]>;
  /** The user's active possession factors (TOTP, SMS, passkey); e-mail OTP is never one. */
  possessionFactors(userId: string): Promise<PossessionMethod[]>;
}

export const MFA_POLICY_HOOK = Symbol('MFA_POLICY_HOOK');
export const DEFAULT_FRESH_WINDOW_SECONDS = 300;
export const ALL_MFA_METHODS = ['totp', 'sms', 'email', 'webauthn'] as const;
