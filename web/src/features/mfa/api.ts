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
