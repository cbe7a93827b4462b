import { defineProjection } from '../src/projections-runtime/projection.js';
import type { PolicyEvent } from '../src/mfa/policy/policy.decider.js';
import { TENANT_SECURITY_EVENT_RULES, tenantRulesByEvent } from '../src/audit/security-event-registry.js';

const tenantRules = tenantRulesByEvent();

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
  handles: ['MfaPolicySet', ...new Set(TENANT_SECURITY_EVENT_RULES.map((r) => r.event))],
  async apply(event, tx) {
    // the declared rules of other contexts (tenant tiers, ...): one document per (event, rule)
    for (const [i, rule] of (tenantRules.get(event.type) ?? []).entries()) {
      await tx.collection<TenantSecurityEventView>('tenant_security_events').upsert({
        id: i === 0 ? event.id : `${event.id}:${i}`,
        tenant_id: rule.tenantId(event.data),
        type: rule.type(event.data),
        occurred_at: event.occurred_at,
        position: event.position,
        actor_id: (event.metadata.actor_id as string | null | undefined) ?? null,
        ip: (event.metadata.ip as string | null | undefined) ?? null,
        details: rule.details?.(event.data) ?? {},
      });
    }
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
