import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { ALL_MFA_METHODS } from '../../identity/auth/mfa-policy.hook.js';
import { isPossessionMethod, POSSESSION_METHODS } from '../../identity/auth/mfa-evidence.js';
import { badRequest } from '../../shared/errors.js';

export type PolicyMethod = (typeof ALL_MFA_METHODS)[number];

/** A tenant's MFA policy (F02.07.05). */
export type MfaPolicy = {
  required_roles: string[];
  allowed_methods: PolicyMethod[];
  grace_period_days: number;
  fresh_window_seconds: number;
};

export type PolicyEvent = DomainEvent<'MfaPolicySet', MfaPolicy & { tenant_id: string; set_by: string; previous: MfaPolicy | null }>;

export interface PolicyState {
  exists: boolean;
  tenant_id: string;
  policy: MfaPolicy | null;
}

export const policyStream = (tenantId: string) => `mfa-policy-${tenantId}`;
export const policyEvolver = {
  initialState: (): PolicyState => ({ exists: false, tenant_id: '', policy: null }),
  evolve(s: PolicyState, e: PolicyEvent): PolicyState {
    switch (e.type) {
      case 'MfaPolicySet': {
        const { required_roles, allowed_methods, grace_period_days, fresh_window_seconds } = e.data;
        return {
          exists: true,
          tenant_id: e.data.tenant_id,
          policy: { required_roles, allowed_methods, grace_period_days, fresh_window_seconds },
        };
      }
      default:
        return s;
    }
  },
};

const ROLE = /^[a-z][a-z0-9_]{1,49}$/;
const invalid = (field: string, detail: string) =>
  badRequest('validation_failed', `${field}: ${detail}`, { field, errors: [`${field} ${detail}`] });

/** Validates and normalises (sorted, de-duplicated) a policy; errors name the field. */
export function normalisePolicy(input: Partial<Record<keyof MfaPolicy, unknown>>): MfaPolicy {
  const { required_roles, allowed_methods, grace_period_days, fresh_window_seconds } = input;
  if (!Array.isArray(required_roles) || required_roles.length > 50) throw invalid('required_roles', 'must be an array of at most 50 roles');
  const roles = required_roles.map((r) => (typeof r === 'string' ? r.trim().toLowerCase() : ''));
  if (roles.some((r) => !ROLE.test(r))) throw invalid('required_roles', 'each role must be lower_snake_case (2-50 chars)');
  if (!Array.isArray(allowed_methods) || allowed_methods.length === 0) throw invalid('allowed_methods', 'must be a non-empty array');
  if (allowed_methods.some((m) => !(ALL_MFA_METHODS as readonly unknown[]).includes(m)))
    throw invalid('allowed_methods', `each method must be one of ${ALL_MFA_METHODS.join(', ')}`);
  // e-mail OTP never makes a user enrolled, so a policy of e-mail alone could never be met
  if (!allowed_methods.some((m) => isPossessionMethod(m as string)))
    throw invalid('allowed_methods', `must include a possession factor (${POSSESSION_METHODS.join(', ')})`);
  if (!Number.isInteger(grace_period_days) || (grace_period_days as number) < 0 || (grace_period_days as number) > 365)
    throw invalid('grace_period_days', 'must be an integer from 0 to 365');
  if (!Number.isInteger(fresh_window_seconds) || (fresh_window_seconds as number) < 60 || (fresh_window_seconds as number) > 86400)
    throw invalid('fresh_window_seconds', 'must be an integer from 60 to 86400');
  return {
    required_roles: [...new Set(roles)].sort(),
    allowed_methods: ALL_MFA_METHODS.filter((m) => (allowed_methods as unknown[]).includes(m)),
    grace_period_days: grace_period_days as number,
    fresh_window_seconds: fresh_window_seconds as number,
  };
}

const same = (a: MfaPolicy, b: MfaPolicy) => JSON.stringify(a) === JSON.stringify(b);

/** Upsert: a new policy, or a change of it; setting the same policy again records nothing. */
export function decideSetPolicy(
  s: PolicyState,
  tenantId: string,
  input: Partial<Record<keyof MfaPolicy, unknown>>,
  by: string,
): PolicyEvent[] {
  const policy = normalisePolicy(input);
  if (s.policy && same(s.policy, policy)) return [];
  return [{ type: 'MfaPolicySet', data: { tenant_id: tenantId, ...policy, set_by: by, previous: s.policy } }];
}

/** Roles of a member that make MFA required under a policy. */
export const requiringRoles = (policy: Pick<MfaPolicy, 'required_roles'> | null | undefined, roles: string[]): string[] =>
  policy ? roles.filter((r) => policy.required_roles.includes(r)).sort() : [];
