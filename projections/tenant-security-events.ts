import { defineProjection } from '../src/projections-runtime/projection.js';
import type { PolicyEvent } from '../src/mfa/policy/policy.decider.js';

/**
 * Tenant-level security events, shown to that tenant's admins at
 * GET /tenants/{tenant_id}/security-events. Append-only, written only from the event stream.
 */
export interface TenantSecurityEventView {
  id: string;
  tenant_id: string;
  type: string;
  occurred_at: string;
  position: number;
  actor_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  [k: string]: unknown;
}

export const tenantSecurityEventsProjection = defineProjection({
  name: 'tenant_security_events',
  collections: [{ name: 'tenant_security_events', indexes: [{ fields: ['tenant_id', 'occurred_at'] }] }],
  handles: ['MfaPolicySet'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as PolicyEvent;
    if (e.type !== 'MfaPolicySet') return;
    const { tenant_id, set_by, previous, required_roles, allowed_methods, grace_period_days, fresh_window_seconds } = e.data;
    await tx.collection<TenantSecurityEventView>('tenant_security_events').upsert({
      id: event.id,
      tenant_id,
      type: 'mfa_policy_changed',
      occurred_at: event.occurred_at,
      position: event.position,
      actor_id: set_by,
      ip: (event.metadata.ip as string | null | undefined) ?? null,
      details: { policy: { required_roles, allowed_methods, grace_period_days, fresh_window_seconds }, previous },
    });
  },
});
