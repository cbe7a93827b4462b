import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { ALL_MFA_METHODS, DEFAULT_FRESH_WINDOW_SECONDS, type MfaPolicyHook } from '../../identity/auth/mfa-policy.hook.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { forbidden, unauthorized } from '../../shared/errors.js';
import { isFreshFor, satisfiesPolicy, type PossessionMethod } from '../../identity/auth/mfa-evidence.js';
import { MfaMethodsReader } from '../methods/mfa-methods.reader.js';
import {
  requirementId,
  requirementOf,
  roleClassId,
  type MfaPolicyView,
  type MfaRequirementView,
  type MfaRoleClassView,
} from '../../../projections/mfa-policies.js';

export type EnforcementStatus = 'not_required' | 'compliant' | 'grace_period' | 'enrol_now';

export interface Enforcement {
  status: EnforcementStatus;
  required_by_roles: string[];
  allowed_methods: string[];
  /** Possession factors only: e-mail OTP never makes a user enrolled. */
  enrolled_methods: PossessionMethod[];
  grace_period_ends_at: string | null;
  days_remaining: number | null;
  fresh_window_seconds: number;
  /** This session's second factor counts for the policy (an allowed method). */
  mfa_satisfied: boolean;
  /** A counting second factor within the fresh window (what step-up needs). */
  mfa_fresh: boolean;
}

const DAY_MS = 86_400_000;

/**
 * The tenant MFA policy applied to a caller (F02.07.05). Provided as MFA_POLICY_HOOK, so the
 * global AccessGuard calls `enforce` on every endpoint not marked @AllowWithoutMfa and
 * StepUpService reads the tenant's fresh window and allowed methods from here.
 */
@Injectable()
export class MfaEnforcement implements MfaPolicyHook {
  constructor(
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly methods: MfaMethodsReader,
  ) {}

  policy(tenantId: string): Promise<MfaPolicyView | null> {
    return this.reads.collection<MfaPolicyView>('mfa_policies').get(tenantId);
  }

  async freshWindowSeconds(tenantId: string): Promise<number> {
    return (await this.policy(tenantId))?.fresh_window_seconds ?? DEFAULT_FRESH_WINDOW_SECONDS;
  }

  async allowedMethods(tenantId: string): Promise<string[]> {
    return (await this.policy(tenantId))?.allowed_methods ?? [...ALL_MFA_METHODS];
  }

  possessionFactors(userId: string): Promise<PossessionMethod[]> {
    return this.methods.possessionFactors(userId);
  }

  /** `knownPolicy`: the tenant policy when the caller has just read it (saves a read per request). */
  async evaluate(auth: AuthContext, knownPolicy?: MfaPolicyView | null): Promise<Enforcement> {
    const [policy, member, enrolled] = await Promise.all([
      knownPolicy !== undefined ? knownPolicy : this.policy(auth.tenant_id),
      this.reads.collection<MfaRequirementView>('mfa_requirements').get(requirementId(auth.tenant_id, auth.user_id)),
      this.methods.possessionFactors(auth.user_id),
    ]);
    // the policy's answer for the member's set of roles (a policy change writes these, not every member)
    const roleClass =
      policy && member
        ? await this.reads.collection<MfaRoleClassView>('mfa_role_classes').get(roleClassId(auth.tenant_id, member.roles))
        : null;
    const req = requirementOf(member, roleClass, policy);
    const window = policy?.fresh_window_seconds ?? DEFAULT_FRESH_WINDOW_SECONDS;
    const allowed: string[] = policy?.allowed_methods ?? [...ALL_MFA_METHODS];
    const base = {
      allowed_methods: allowed,
      enrolled_methods: enrolled,
      fresh_window_seconds: window,
      mfa_satisfied: satisfiesPolicy(auth.mfa_methods, allowed, enrolled),
      mfa_fresh: isFreshFor(auth.mfa_methods, allowed, enrolled, window, this.clock.now().getTime() / 1000),
    };
    const requiredBy = policy && req.required_since ? req.required_by_roles : [];
    if (!policy || !req.required_since || requiredBy.length === 0) {
      return { status: 'not_required', required_by_roles: [], grace_period_ends_at: null, days_remaining: null, ...base };
    }
    const ends = new Date(Date.parse(req.required_since) + policy.grace_period_days * DAY_MS);
    const left = ends.getTime() - this.clock.now().getTime();
    const satisfied = enrolled.some((m) => allowed.includes(m));
    const status: EnforcementStatus = satisfied ? 'compliant' : left > 0 ? 'grace_period' : 'enrol_now';
    return {
      status,
      required_by_roles: requiredBy,
      grace_period_ends_at: ends.toISOString(),
      days_remaining: status === 'grace_period' ? Math.ceil(left / DAY_MS) : status === 'enrol_now' ? 0 : null,
      ...base,
    };
  }

  async enforce(auth: AuthContext): Promise<void> {
    const policy = await this.policy(auth.tenant_id);
    if (!policy) return; // fast path: no policy in this tenant
    const e = await this.evaluate(auth, policy);
    if (e.status === 'enrol_now') {
      throw forbidden(
        'mfa_enrolment_required',
        `Your role requires a second factor (${e.allowed_methods.join(', ')}); the grace period has ended. Enrol one to continue.`,
        {
          allowed_methods: e.allowed_methods,
          grace_period_ends_at: e.grace_period_ends_at,
        },
      );
    }
    // only a verification by a method this tenant allows counts (mfa-evidence.ts)
    if (e.status === 'compliant' && !e.mfa_satisfied) {
      throw unauthorized('mfa_required', 'Your role requires a second-factor verification for this session.', {
        allowed_methods: e.allowed_methods,
      });
    }
  }
}
