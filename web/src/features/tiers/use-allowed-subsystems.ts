import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { api } from '../../lib/api-client';
import { useMe } from '../auth/session';

/** `GET /me/tenant-tier` (src/tenant-tier/tier.controller.ts). */
export interface TenantTier {
  tenant_id: string;
  tenant_type: string;
  all_access: boolean;
  allowed_subsystems: string[]; // ['*'] for all-access types
  addons: Array<{ subsystem_id: string; expires_at: string | null }>;
  included_domains: string[];
  excluded_subsystems: string[];
  version: number;
}

export const TIER_STALE_MS = 5 * 60_000;
export const tenantTierKey = (tenantId: string | undefined) => ['tenant-tier', tenantId] as const;

/** Whether a subsystem id (`F02.09`) is in a tier answer. */
export function isSubsystemAllowed(tier: Pick<TenantTier, 'allowed_subsystems'> | undefined, subsystem: string): boolean {
  if (!tier) return false;
  return tier.allowed_subsystems.includes('*') || tier.allowed_subsystems.includes(subsystem);
}

/**
 * F02.10.07: which subsystems the signed-in tenant may use. Cached 5 minutes; the query key holds
 * the tenant id, so switching tenant (a new login) fetches the new tenant's tier at once. While it
 * loads nothing tier-gated is shown (`isAllowed` is false), so a section never flashes in and out.
 */
export function useAllowedSubsystems() {
  const me = useMe();
  const tenantId = me.data?.tenant.id;
  const query = useQuery({
    queryKey: tenantTierKey(tenantId),
    queryFn: () => api.get<TenantTier>('/me/tenant-tier'),
    enabled: tenantId !== undefined,
    staleTime: TIER_STALE_MS,
    gcTime: TIER_STALE_MS * 2,
  });
  const isAllowed = useCallback((subsystem: string) => isSubsystemAllowed(query.data, subsystem), [query.data]);
  return { tier: query.data, isLoading: query.isLoading || me.isLoading, isAllowed };
}
