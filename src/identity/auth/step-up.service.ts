import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { conflict, forbidden } from '../../shared/errors.js';
import type { AuthContext } from './auth-context.js';
import { isFreshFor, POSSESSION_METHODS, type PossessionMethod } from './mfa-evidence.js';
import { ALL_MFA_METHODS, DEFAULT_FRESH_WINDOW_SECONDS, MFA_POLICY_HOOK, type MfaPolicyHook } from './mfa-policy.hook.js';

/**
 * Step-up ("fresh window"): sensitive operations need a second-factor verification no older
 * than the tenant's fresh_window_seconds, by a method the tenant's policy allows (e-mail OTP
 * never counts; see mfa-evidence.ts). Used by @RequiresFreshMfa() and by handlers whose need is
 * conditional: binding a factor needs the factors you have (`assertMayBindFactor`).
 */
@Injectable()
export class StepUpService {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(MFA_POLICY_HOOK) private readonly policy?: MfaPolicyHook,
  ) {}

  async windowSeconds(tenantId: string): Promise<number> {
    return this.policy ? this.policy.freshWindowSeconds(tenantId) : DEFAULT_FRESH_WINDOW_SECONDS;
  }

  private allowed(tenantId: string): Promise<string[]> {
    return this.policy ? this.policy.allowedMethods(tenantId) : Promise.resolve([...ALL_MFA_METHODS]);
  }

  possessionFactors(userId: string): Promise<PossessionMethod[]> {
    return this.policy ? this.policy.possessionFactors(userId) : Promise.resolve([]);
  }

  /** `possession` / `allowed`: the user's factors and the counting methods when the caller already knows them. */
  async isFresh(auth: AuthContext, possession?: readonly PossessionMethod[], allowed?: readonly string[]): Promise<boolean> {
    const [window, methods, factors] = await Promise.all([
      this.windowSeconds(auth.tenant_id),
      allowed ?? this.allowed(auth.tenant_id),
      possession ?? this.possessionFactors(auth.user_id),
    ]);
    return isFreshFor(auth.mfa_methods, methods, factors, window, this.clock.now().getTime() / 1000);
  }

  async assertFresh(auth: AuthContext, possession?: readonly PossessionMethod[], allowedOverride?: readonly string[]): Promise<void> {
    if (await this.isFresh(auth, possession, allowedOverride)) return;
    const [window, allowed] = await Promise.all([
      this.windowSeconds(auth.tenant_id),
      allowedOverride ? [...allowedOverride] : this.allowed(auth.tenant_id),
    ]);
    throw forbidden('mfa_step_up_required', `This operation needs a second-factor verification within the last ${window} s.`, {
      // e-mail OTP is a login fallback, never a step-up
      allowed_methods: allowed.filter((m) => m !== 'email'),
      fresh_window_seconds: window,
    });
  }

  /**
   * The one rule for binding a factor (enrol, confirm, replace or remove any factor, recovery
   * codes, trusted devices, password change): once the user has any possession factor, of any
   * type, the change needs a fresh second factor. Returns the user's possession factors.
   */
  async assertMayBindFactor(auth: AuthContext): Promise<PossessionMethod[]> {
    const possession = await this.possessionFactors(auth.user_id);
    if (possession.length === 0) return possession;
    const allowed = await this.allowed(auth.tenant_id);
    // A user none of whose factors the policy allows (yet) proves one of their own, so that they
    // can move to an allowed factor; a password alone still never binds anything.
    const counting = possession.some((p) => allowed.includes(p)) ? allowed : [...new Set([...allowed, ...possession])];
    await this.assertFresh(auth, possession, counting);
    return possession;
  }

  /** Recovery codes and trusted devices stand in for a possession factor: they exist only beside one. */
  async assertPossessionFactor(auth: AuthContext): Promise<PossessionMethod[]> {
    const possession = await this.assertMayBindFactor(auth);
    if (possession.length === 0)
      throw conflict(
        'possession_factor_required',
        `This needs a second factor of your own first: enrol one of ${POSSESSION_METHODS.join(', ')} (authenticator app, SMS or passkey).`,
      );
    return possession;
  }
}
