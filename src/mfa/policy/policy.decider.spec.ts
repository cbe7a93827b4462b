import { DomainError } from '../../shared/errors.js';
import { decideSetPolicy, policyEvolver, requiringRoles, type PolicyEvent } from './policy.decider.js';

const given = (...events: PolicyEvent[]) => events.reduce(policyEvolver.evolve, policyEvolver.initialState());
const TENANT = '7b0f0c3e-8f7c-4a4e-9d67-2f2d1f7b1a11';
const base = { required_roles: ['treasurer'], allowed_methods: ['totp'], grace_period_days: 14, fresh_window_seconds: 300 };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).code).toBe('validation_failed');
    return (e as DomainError).extra.field as string;
  }
  throw new Error('expected a validation error');
}

describe('MFA policy decider', () => {
  it('sets a first policy, normalised, with no previous', () => {
    const [e] = decideSetPolicy(
      given(),
      TENANT,
      { ...base, required_roles: ['Treasurer', 'board', 'treasurer'], allowed_methods: ['webauthn', 'totp'] },
      'admin',
    );
    expect(e).toEqual({
      type: 'MfaPolicySet',
      data: {
        tenant_id: TENANT,
        required_roles: ['board', 'treasurer'],
        allowed_methods: ['totp', 'webauthn'],
        grace_period_days: 14,
        fresh_window_seconds: 300,
        set_by: 'admin',
        previous: null,
      },
    });
  });

  it('records nothing when the same policy is set again, and the previous policy on a change', () => {
    const s = given(...decideSetPolicy(given(), TENANT, base, 'a'));
    expect(decideSetPolicy(s, TENANT, base, 'a')).toEqual([]);
    const [e] = decideSetPolicy(s, TENANT, { ...base, grace_period_days: 7 }, 'b');
    expect(e!.data.previous).toEqual({ ...base, allowed_methods: ['totp'] });
    expect(e!.data.grace_period_days).toBe(7);
  });

  it('names the field of each validation error', () => {
    const s = given();
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, allowed_methods: [] }, 'a'))).toBe('allowed_methods');
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, allowed_methods: ['password'] }, 'a'))).toBe('allowed_methods');
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, grace_period_days: 366 }, 'a'))).toBe('grace_period_days');
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, grace_period_days: 1.5 }, 'a'))).toBe('grace_period_days');
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, fresh_window_seconds: 59 }, 'a'))).toBe('fresh_window_seconds');
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, fresh_window_seconds: 86401 }, 'a'))).toBe('fresh_window_seconds');
    expect(fieldOf(() => decideSetPolicy(s, TENANT, { ...base, required_roles: ['Not A Role!'] }, 'a'))).toBe('required_roles');
    expect(decideSetPolicy(s, TENANT, { ...base, grace_period_days: 0, fresh_window_seconds: 60 }, 'a')).toHaveLength(1);
    expect(decideSetPolicy(s, TENANT, { ...base, grace_period_days: 365, fresh_window_seconds: 86400 }, 'a')).toHaveLength(1);
  });

  it('finds the roles that require MFA', () => {
    expect(requiringRoles(null, ['treasurer'])).toEqual([]);
    expect(requiringRoles({ required_roles: ['treasurer', 'board'] }, ['member', 'treasurer'])).toEqual(['treasurer']);
  });
});
