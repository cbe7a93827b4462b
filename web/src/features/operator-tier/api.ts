import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiRequest } from '../../lib/api-client';

/** An add-on as `GET /sys/tenants/{id}/tier` lists it (src/tenant-tier/sys-tenants.controller.ts). */
export interface AddonItem {
  addon_id: string;
  subsystem_id: string;
  status: 'active' | 'revoked' | 'expired';
  expires_at: string | null;
  billing_reference: string | null;
  reason: string;
  granted_at: string;
  granted_by: string;
  ended_at: string | null;
  ended_by: string | null;
}

/** The operator's view of a tenant's tier. */
export interface SysTenantTier {
  tenant_id: string;
  name: string;
  country: string;
  tenant_type: string;
  all_access: boolean;
  allowed_subsystems: string[];
  included_domains: string[];
  excluded_subsystems: string[];
  addons: AddonItem[];
  addon_history: AddonItem[];
  version: number;
}

export interface TenantListItem {
  id: string;
  name: string;
  country: string;
  tenant_type: string;
  created_at: string;
}

export interface GrantAddonBody {
  subsystem_id: string;
  expires_at: string | null;
  billing_reference: string | null;
  reason: string;
}

export const sysTierKey = (tenantId: string) => ['sys-tenant-tier', tenantId] as const;

/** `GET /sys/tenants?q=`: newest first, or a name-prefix / exact-id search. */
export function useSysTenants(q: string) {
  return useQuery({
    queryKey: ['sys-tenants', q],
    queryFn: () => api.get<{ items: TenantListItem[]; next_cursor: string | null }>(`/sys/tenants${q ? `?q=${encodeURIComponent(q)}` : ''}`),
  });
}

export function useSysTenantTier(tenantId: string) {
  return useQuery({ queryKey: sysTierKey(tenantId), queryFn: () => api.get<SysTenantTier>(`/sys/tenants/${tenantId}/tier`) });
}

/** Grant, revoke and type change all change the tier: each invalidates it (and the tenant list, for the type). */
function useTierMutation<V, R>(tenantId: string, fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: sysTierKey(tenantId) }), qc.invalidateQueries({ queryKey: ['sys-tenants'] })]),
  });
}

export const useGrantAddon = (tenantId: string) =>
  useTierMutation(tenantId, (body: GrantAddonBody) => api.post<AddonItem>(`/sys/tenants/${tenantId}/tier/addons`, body));

export const useRevokeAddon = (tenantId: string) =>
  useTierMutation(tenantId, ({ addonId, reason }: { addonId: string; reason?: string }) =>
    apiRequest<unknown>(`/sys/tenants/${tenantId}/tier/addons/${addonId}`, { method: 'DELETE', body: reason ? { reason } : {} }),
  );

/** `PATCH …/tier/type` needs a fresh second factor: the API client's step-up prompt handles the 403. */
export const useChangeTenantType = (tenantId: string) =>
  useTierMutation(tenantId, (body: { tenant_type: string; reason: string }) =>
    api.patch<{ tenant_id: string; tenant_type: string; previous_type: string }>(`/sys/tenants/${tenantId}/tier/type`, body),
  );
