import { defineProjection } from '../src/projections-runtime/projection.js';

/**
 * The operator audit (GET /sys/audit): one document per operator-relevant event, keyed by the
 * event id, written only from the event stream, so a rebuild gives the same documents.
 */
export interface OperatorAuditView {
  id: string;
  tenant_id: string | null;
  type: string;
  occurred_at: string;
  position: number;
  actor_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  [k: string]: unknown;
}

/** An event's data as stored: its fields pass through to `details`; tenant ids must be strings. */
type D = Readonly<Record<string, unknown>>;
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
/** Domain event -> (audit type, tenant, details). */
const ENTRIES: Record<string, (d: D) => { type: string; tenant_id: string | null; details: Record<string, unknown> }> = {
  TenantCreated: (d) => ({
    type: 'tenant_created',
    tenant_id: text(d.tenant_id),
    details: { name: d.name, tenant_type: d.tenant_type, country: d.country ?? null },
  }),
  AddonGranted: (d) => ({
    type: 'addon_granted',
    tenant_id: text(d.tenant_id),
    details: {
      addon_id: d.addon_id,
      subsystem_id: d.subsystem_id,
      expires_at: d.expires_at,
      billing_reference: d.billing_reference,
      reason: d.reason,
    },
  }),
  AddonRevoked: (d) => ({
    type: 'addon_revoked',
    tenant_id: text(d.tenant_id),
    details: { addon_id: d.addon_id, subsystem_id: d.subsystem_id, reason: d.reason },
  }),
  AddonExpired: (d) => ({
    type: 'addon_expired',
    tenant_id: text(d.tenant_id),
    details: { addon_id: d.addon_id, subsystem_id: d.subsystem_id, expires_at: d.expires_at },
  }),
  TenantTypeChanged: (d) => ({
    type: 'tenant_type_changed',
    tenant_id: text(d.tenant_id),
    details: { previous_type: d.previous_type, tenant_type: d.tenant_type, reason: d.reason },
  }),
  SysRolesChanged: (d) => ({
    type: 'sys_roles_changed',
    tenant_id: null,
    details: { user_id: d.user_id, sys_roles: d.sys_roles, previous: d.previous },
  }),
  // a corporate event's outside contact erased by a security operator (a person's erasure is a security event of theirs)
  PersonalDataSubjectErased: (d) => ({
    type: `${String(d.kind)}_erased`,
    tenant_id: text(d.chain_id),
    details: { subject: d.subject, reason: d.reason },
  }),
  TierMatrixDriftDetected: (d) => ({
    type: 'tier_matrix_drift_detected',
    tenant_id: null,
    details: { differing_types: d.differing_types, source: d.source, api_sha256: d.api_sha256, published_sha256: d.published_sha256 },
  }),
};

export const operatorAuditProjection = defineProjection({
  name: 'operator_audit',
  collections: [
    {
      name: 'operator_audit',
      indexes: [{ fields: ['occurred_at'] }, { fields: ['tenant_id', 'occurred_at'] }, { fields: ['type', 'occurred_at'] }],
    },
  ],
  handles: Object.keys(ENTRIES),
  async apply(event, tx) {
    const entry = ENTRIES[event.type]?.(event.data);
    if (!entry) return;
    await tx.collection<OperatorAuditView>('operator_audit').upsert({
      id: event.id,
      ...entry,
      occurred_at: event.occurred_at,
      position: event.position,
      actor_id: (event.metadata.actor_id as string | null | undefined) ?? null,
      ip: (event.metadata.ip as string | null | undefined) ?? null,
    });
  },
});
