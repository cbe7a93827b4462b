import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api-client';

/** `GET /auth/mfa/enforcement` (src/mfa/policy/mfa-enforcement.service.ts). */
export interface Enforcement {
  status: 'not_required' | 'grace_period' | 'enrol_now' | 'compliant';
  required_by_roles: string[];
  grace_period_ends_at: string | null;
  days_remaining: number | null;
  allowed_methods: string[];
  enrolled_methods: string[];
  mfa_satisfied: boolean;
  mfa_fresh: boolean;
}

export const enforcementKey = ['mfa-enforcement'] as const;
export const useEnforcement = () => useQuery({ queryKey: enforcementKey, queryFn: () => api.get<Enforcement>('/auth/mfa/enforcement') });

/** `GET /auth/mfa/methods`. */
export interface Methods {
  totp: { enrolled: boolean; confirmed_at: string | null };
  sms: { enrolled: boolean; phone_masked: string | null };
  webauthn: { credential_count: number };
  email: { available: boolean; email_masked: string | null };
  recovery_codes: { remaining: number };
}
export const methodsKey = ['mfa-methods'] as const;
export const useMethods = () => useQuery({ queryKey: methodsKey, queryFn: () => api.get<Methods>('/auth/mfa/methods') });

/** At most this many unused recovery codes left: the screens warn that they are running low. */
export const RECOVERY_CODES_LOW = 3;
export const recoveryCountKey = ['recovery-codes-count'] as const;
export const useRecoveryCount = () =>
  useQuery({ queryKey: recoveryCountKey, queryFn: () => api.get<{ remaining: number; generated_at: string | null }>('/auth/mfa/recovery-codes/count') });

/** After a factor changed: every view of the person's factors and of the policy is stale. */
export const factorKeys = [methodsKey, enforcementKey, recoveryCountKey] as const;
