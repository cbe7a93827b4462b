import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { conflict } from '../../shared/errors.js';

export const TENANT_TYPES = [
  'FEDERATION',
  'CONTINENTAL',
  'FIPJP',
  'SANDBOX',
  'CLUB',
  'AFFILIATE',
  'VENUE',
  'CHAIN',
  'EVENT',
  'INDIVIDUAL',
] as const;
export type TenantType = (typeof TENANT_TYPES)[number];

export type TenantEvent = DomainEvent<
  'TenantCreated',
  /** country: ISO 3166 alpha-2 where the tenant is based (venues are invoiced in its currency); absent on older events. */
  { tenant_id: string; name: string; tenant_type: TenantType; created_by: string | null; country?: string | null }
>;

export interface TenantState {
  exists: boolean;
  name: string;
  tenant_type: TenantType | null;
}

export const tenantStream = (id: string) => `tenant-${id}`;
export const tenantEvolver = {
  initialState: (): TenantState => ({ exists: false, name: '', tenant_type: null }),
  evolve: (s: TenantState, e: TenantEvent): TenantState =>
    e.type === 'TenantCreated' ? { exists: true, name: e.data.name, tenant_type: e.data.tenant_type } : s,
};

export function decideCreateTenant(
  s: TenantState,
  cmd: { tenant_id: string; name: string; tenant_type: TenantType; by: string | null; country?: string | null },
): TenantEvent[] {
  if (s.exists) throw conflict('tenant_exists', 'A tenant with this id already exists.');
  return [
    {
      type: 'TenantCreated',
      data: { tenant_id: cmd.tenant_id, name: cmd.name, tenant_type: cmd.tenant_type, created_by: cmd.by, country: cmd.country ?? null },
    },
  ];
}
