import type { DomainEvent } from '../eventstore/aggregate-repository.js';
import { badRequest, conflict, notFound } from '../shared/errors.js';
import { own } from '../shared/ids.js';
import type { TenantType } from '../identity/tenants/tenant.decider.js';
import { SUBSYSTEMS } from './tier-matrix.data.js';
import { matrixAllows } from './tier-matrix.js';

/** One add-on as the tier stream knows it. Times are ISO strings. */
export interface Addon {
  addon_id: string;
  subsystem_id: string;
  expires_at: string | null;
  billing_reference: string | null;
  reason: string;
  granted_at: string;
  granted_by: string | null;
  status: 'active' | 'revoked' | 'expired';
}

export type TierEvent =
  | DomainEvent<'AddonGranted', Omit<Addon, 'status'> & { tenant_id: string }>
  | DomainEvent<
      'AddonRevoked',
      { tenant_id: string; addon_id: string; subsystem_id: string; reason: string | null; revoked_by: string | null; revoked_at: string }
    >
  | DomainEvent<'AddonExpired', { tenant_id: string; addon_id: string; subsystem_id: string; expires_at: string; expired_at: string }>
  | DomainEvent<
      'TenantTypeChanged',
      {
        tenant_id: string;
        previous_type: TenantType;
        tenant_type: TenantType;
        reason: string;
        changed_by: string | null;
        changed_at: string;
      }
    >;

/** The tenant's tier: its type (from TenantCreated, then TenantTypeChanged) and its add-ons. */
export interface TierState {
  tenant_id: string;
  /** Null when the tenant does not exist. */
  tenant_type: TenantType | null;
  addons: Record<string, Addon>;
}

/** Every mutation of a tenant's tier is on this stream; the tenant's creation stays on `tenant-{id}`. */
export const tierStream = (tenantId: string) => `tenant-tier-${tenantId}`;

/** The evolver starts from the type the tenant was created with (read from the tenant stream by the handler). */
export const tierEvolver = (tenantId: string, createdType: TenantType | null) => ({
  initialState: (): TierState => ({ tenant_id: tenantId, tenant_type: createdType, addons: {} }),
  evolve(s: TierState, e: TierEvent): TierState {
    switch (e.type) {
      case 'AddonGranted': {
        const { tenant_id: _t, ...addon } = e.data;
        return { ...s, addons: { ...s.addons, [addon.addon_id]: { ...addon, status: 'active' } } };
      }
      case 'AddonRevoked':
      case 'AddonExpired': {
        const a = own(s.addons, e.data.addon_id);
        if (!a) return s;
        return { ...s, addons: { ...s.addons, [a.addon_id]: { ...a, status: e.type === 'AddonRevoked' ? 'revoked' : 'expired' } } };
      }
      case 'TenantTypeChanged':
        return { ...s, tenant_type: e.data.tenant_type };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
});

/** An add-on counts while it is active and its expiry (if any) is still ahead, job or no job. */
export const isLive = (a: Addon, now: Date) => a.status === 'active' && (a.expires_at === null || Date.parse(a.expires_at) > now.getTime());

const requireTenant = (s: TierState): TenantType => {
  if (!s.tenant_type) throw notFound('tenant_not_found', 'No such tenant.');
  return s.tenant_type;
};

/** Active add-ons whose expiry has passed: one AddonExpired each (permanent ones never). */
export function decideExpire(s: TierState, now: Date): Array<Extract<TierEvent, { type: 'AddonExpired' }>> {
  return Object.values(s.addons)
    .filter((a) => a.status === 'active' && a.expires_at !== null && Date.parse(a.expires_at) <= now.getTime())
    .map((a) => ({
      type: 'AddonExpired' as const,
      data: {
        tenant_id: s.tenant_id,
        addon_id: a.addon_id,
        subsystem_id: a.subsystem_id,
        expires_at: a.expires_at!,
        expired_at: now.toISOString(),
      },
    }));
}

export interface GrantAddonInput {
  addon_id: string;
  subsystem_id: string;
  expires_at: string | null;
  billing_reference: string | null;
  reason: string;
  by: string | null;
  now: Date;
}

export function decideGrant(s: TierState, cmd: GrantAddonInput): TierEvent[] {
  const type = requireTenant(s);
  if (!Object.hasOwn(SUBSYSTEMS, cmd.subsystem_id))
    throw badRequest('unknown_subsystem', `subsystem_id ${cmd.subsystem_id} is not a known subsystem.`, { field: 'subsystem_id' });
  if (cmd.expires_at !== null && Date.parse(cmd.expires_at) <= cmd.now.getTime())
    throw badRequest('validation_failed', 'expires_at must be in the future', {
      errors: ['expires_at must be in the future'],
      field: 'expires_at',
    });
  if (matrixAllows(type, cmd.subsystem_id))
    throw conflict('subsystem_already_allowed', `A ${type} tenant already has ${cmd.subsystem_id}; no add-on is needed.`);
  // an add-on past its expiry that the job has not reached yet is expired here, first
  const expired = decideExpire(s, cmd.now).filter((e) => e.data.subsystem_id === cmd.subsystem_id);
  const active = Object.values(s.addons).find((a) => a.subsystem_id === cmd.subsystem_id && isLive(a, cmd.now));
  if (active)
    throw conflict('addon_exists', `${cmd.subsystem_id} already has an active add-on; revoke it first.`, { addon_id: active.addon_id });
  return [
    ...expired,
    {
      type: 'AddonGranted',
      data: {
        tenant_id: s.tenant_id,
        addon_id: cmd.addon_id,
        subsystem_id: cmd.subsystem_id,
        expires_at: cmd.expires_at,
        billing_reference: cmd.billing_reference,
        reason: cmd.reason,
        granted_at: cmd.now.toISOString(),
        granted_by: cmd.by,
      },
    },
  ];
}

export function decideRevoke(s: TierState, cmd: { addon_id: string; reason: string | null; by: string | null; now: Date }): TierEvent[] {
  requireTenant(s);
  const a = own(s.addons, cmd.addon_id);
  if (!a) throw notFound('addon_not_found', 'No such add-on for this tenant.');
  if (!isLive(a, cmd.now)) throw conflict('addon_not_active', `This add-on is already ${a.status === 'active' ? 'expired' : a.status}.`);
  return [
    {
      type: 'AddonRevoked',
      data: {
        tenant_id: s.tenant_id,
        addon_id: a.addon_id,
        subsystem_id: a.subsystem_id,
        reason: cmd.reason,
        revoked_by: cmd.by,
        revoked_at: cmd.now.toISOString(),
      },
    },
  ];
}

export function decideChangeType(
  s: TierState,
  cmd: { tenant_type: TenantType; reason: string; by: string | null; now: Date },
): TierEvent[] {
  const current = requireTenant(s);
  if (current === cmd.tenant_type)
    throw badRequest('tenant_type_unchanged', `The tenant is already of type ${current}.`, { field: 'tenant_type' });
  return [
    {
      type: 'TenantTypeChanged',
      data: {
        tenant_id: s.tenant_id,
        previous_type: current,
        tenant_type: cmd.tenant_type,
        reason: cmd.reason,
        changed_by: cmd.by,
        changed_at: cmd.now.toISOString(),
      },
    },
  ];
}
