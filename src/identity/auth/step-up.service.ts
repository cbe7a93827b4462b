import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { forbidden } from '../../shared/errors.js';
import type { AuthContext } from './auth-context.js';
import { ALL_MFA_METHODS, DEFAULT_FRESH_WINDOW_SECONDS, MFA_POLICY_HOOK, type MfaPolicyHook } from './mfa-policy.hook.js';

/**
 * Step-up ("fresh window"): sensitive operations need a second-factor verification no older
 * than the tenant's fresh_window_seconds. Used by @RequiresFreshMfa() and by handlers whose
 * need is conditional (e.g. only once a factor is enrolled).
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

  async isFresh(auth: AuthContext): Promise<boolean> {
    const window = await this.windowSeconds(auth.tenant_id);
    return auth.mfa_at !== null && this.clock.now().getTime() / 1000 - auth.mfa_at <= window;
  }

  async assertFresh(auth: AuthContext): Promise<void> {
    if (await this.isFresh(auth)) return;
    const window = await this.windowSeconds(auth.tenant_id);
    const allowed = this.policy ? await this.policy.allowedMethods(auth.tenant_id) : [...ALL_MFA_METHODS];
    throw forbidden('mfa_step_up_required', `This operation needs a second-factor verification within the last ${window} s.`, {
      allowed_methods: allowed,
      fresh_window_seconds: window,
    });
  }
}
