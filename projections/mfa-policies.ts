import { defineProjection } from '../src/projections-runtime/projection.js';
import type { ReadStoreTx } from '../src/readstore/read-store.port.js';
import { requiringRoles, type MfaPolicy, type PolicyEvent } from '../src/mfa/policy/policy.decider.js';
import type { UserEvent } from '../src/identity/users/user.decider.js';

/** The current MFA policy of each tenant (id = tenant id). */
export interface MfaPolicyView extends MfaPolicy {
  id: string;
  tenant_id: string;
  updated_at: string;
  updated_by: string;
  [k: string]: unknown;
}

/**
 * Per tenant + member: the roles, which of them the policy requires MFA for, and since when
 * MFA has been required without interruption (`required_since`: the start of the grace
 * period). Set when a policy, a new membership or a new role first makes MFA required; kept
 * through later edits while MFA stays required; cleared when it stops being required.
 */
export interface MfaRequirementView {
  id: string;
  tenant_id: string;
  user_id: string;
  roles: string[];
  required_by_roles: string[];
  required_since: string | null;
  [k: string]: unknown;
}

export const requirementId = (tenantId: string, userId: string) => `${tenantId}:${userId}`;

type Member = { id: string; tenant_id: string; user_id: string; roles: string[]; required_since?: string | null };
async function recompute(tx: ReadStoreTx, doc: Member, policy: MfaPolicy | null, at: string) {
  const required = requiringRoles(policy, doc.roles);
  const required_since = required.length === 0 ? null : (doc.required_since ?? at);
  const { id, tenant_id, user_id, roles } = doc;
  await tx
    .collection<MfaRequirementView>('mfa_requirements')
    .upsert({ id, tenant_id, user_id, roles, required_by_roles: required, required_since });
}

export const mfaPoliciesProjection = defineProjection({
  name: 'mfa_policies',
  collections: [{ name: 'mfa_policies' }, { name: 'mfa_requirements', indexes: [{ fields: ['tenant_id', 'user_id'] }] }],
  handles: ['MfaPolicySet', 'MembershipGranted', 'MemberRolesChanged'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as PolicyEvent | UserEvent;
    const policies = tx.collection<MfaPolicyView>('mfa_policies');
    const reqs = tx.collection<MfaRequirementView>('mfa_requirements');
    switch (e.type) {
      case 'MfaPolicySet': {
        const { tenant_id, required_roles, allowed_methods, grace_period_days, fresh_window_seconds, set_by } = e.data;
        const policy = { required_roles, allowed_methods, grace_period_days, fresh_window_seconds };
        await policies.upsert({ id: tenant_id, tenant_id, ...policy, updated_at: event.occurred_at, updated_by: set_by });
        let cursor: string | null = null;
        do {
          const page = await reqs.find({ where: { tenant_id }, sort: [['user_id', 'asc']], limit: 500, cursor });
          for (const doc of page.items) await recompute(tx, doc, policy, event.occurred_at);
          cursor = page.next_cursor;
        } while (cursor);
        break;
      }
      case 'MembershipGranted':
      case 'MemberRolesChanged': {
        const { tenant_id, user_id, roles } = e.data;
        const id = requirementId(tenant_id, user_id);
        // One after the other: a MongoDB session runs one operation at a time (no Promise.all in a transaction).
        const cur = await reqs.get(id);
        const policy = await policies.get(tenant_id);
        await recompute(tx, { id, tenant_id, user_id, roles, required_since: cur?.required_since ?? null }, policy, event.occurred_at);
        break;
      }
      default:
        break;
    }
  },
});
