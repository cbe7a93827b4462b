import { defineProjection } from '../src/projections-runtime/projection.js';
import type { Collection, ReadStoreTx } from '../src/readstore/read-store.port.js';
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
 * Per tenant + set of roles (a "role class"): whether the policy requires MFA of that set and
 * since when without interruption. A policy change rewrites only the classes whose answer
 * changes, never the members: a policy applied to a tenant of 100,000 members is a handful of
 * writes (one per distinct role set in use), so its projection page stays small.
 */
export interface MfaRoleClassView {
  id: string;
  tenant_id: string;
  roles: string[];
  /** Start of the current run in which the policy requires MFA of these roles (null: not required). */
  required_since: string | null;
  /** Position of the event that started that run. */
  since_position: number | null;
  [k: string]: unknown;
}

/**
 * Per tenant + member: the roles and the member's own history, as of the last event that set
 * them (a membership or a role change, at `entered_position`): `since_at_entry` is when MFA had
 * been required without interruption at that moment (kept when the new roles still require it).
 * The requirement now is joined at read time with the member's role class (requirementOf).
 */
export interface MfaRequirementView {
  id: string;
  tenant_id: string;
  user_id: string;
  roles: string[];
  entered_position: number;
  since_at_entry: string | null;
  [k: string]: unknown;
}

export interface MfaRequirement {
  required_by_roles: string[];
  /** Since when MFA has been required without interruption (start of the grace period), or null. */
  required_since: string | null;
}

export const requirementId = (tenantId: string, userId: string) => `${tenantId}:${userId}`;
/** Roles are lower_snake_case (DTO), so the sorted list joined by ',' is an unambiguous key. */
export const roleClassId = (tenantId: string, roles: string[]) => `${tenantId}:${[...new Set(roles)].sort().join(',')}`;

/**
 * The requirement of a member now: required by the current policy's roles; since the member's
 * own start if its role class has been required without interruption since the member took
 * these roles, else since the class's current run began (a policy change after the member's
 * last role change stopped and restarted it).
 */
export function requirementOf(
  member: MfaRequirementView | null,
  roleClass: MfaRoleClassView | null,
  policy: Pick<MfaPolicy, 'required_roles'> | null,
): MfaRequirement {
  const required_by_roles = member ? requiringRoles(policy, member.roles) : [];
  if (!member || required_by_roles.length === 0) return { required_by_roles: [], required_since: null };
  if (!roleClass || roleClass.since_position === null || roleClass.since_position <= member.entered_position) {
    return { required_by_roles, required_since: member.since_at_entry };
  }
  return { required_by_roles, required_since: roleClass.required_since };
}

/** The class of `roles`, created from the current policy when no member had that set before. */
async function roleClass(
  classes: Collection<MfaRoleClassView>,
  tenant_id: string,
  roles: string[],
  policy: MfaPolicy | null,
  at: { position: number; occurred_at: string },
): Promise<MfaRoleClassView> {
  const id = roleClassId(tenant_id, roles);
  const existing = await classes.get(id);
  if (existing) return existing;
  const required = requiringRoles(policy, roles).length > 0;
  const created: MfaRoleClassView = {
    id,
    tenant_id,
    roles: [...new Set(roles)].sort(),
    required_since: required ? at.occurred_at : null,
    since_position: required ? at.position : null,
  };
  await classes.upsert(created);
  return created;
}

async function applyPolicy(tx: ReadStoreTx, tenant_id: string, policy: MfaPolicy, at: { position: number; occurred_at: string }) {
  const classes = tx.collection<MfaRoleClassView>('mfa_role_classes');
  let cursor: string | null = null;
  do {
    const page = await classes.find({ where: { tenant_id }, limit: 500, cursor });
    for (const c of page.items) {
      const required = requiringRoles(policy, c.roles).length > 0;
      if (required === (c.required_since !== null)) continue; // still (not) required: the run goes on
      await classes.upsert({ ...c, required_since: required ? at.occurred_at : null, since_position: required ? at.position : null });
    }
    cursor = page.next_cursor;
  } while (cursor);
}

export const mfaPoliciesProjection = defineProjection({
  // v2: requirements joined at read time with role classes (replayed from the log on upgrade)
  name: 'mfa_policies_v2',
  collections: [
    { name: 'mfa_policies' },
    { name: 'mfa_role_classes', indexes: [{ fields: ['tenant_id'] }] },
    { name: 'mfa_requirements', indexes: [{ fields: ['tenant_id', 'user_id'] }] },
  ],
  handles: ['MfaPolicySet', 'MembershipGranted', 'MemberRolesChanged'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as PolicyEvent | UserEvent;
    const policies = tx.collection<MfaPolicyView>('mfa_policies');
    switch (e.type) {
      case 'MfaPolicySet': {
        const { tenant_id, required_roles, allowed_methods, grace_period_days, fresh_window_seconds, set_by } = e.data;
        const policy = { required_roles, allowed_methods, grace_period_days, fresh_window_seconds };
        await policies.upsert({ id: tenant_id, tenant_id, ...policy, updated_at: event.occurred_at, updated_by: set_by });
        await applyPolicy(tx, tenant_id, policy, event);
        break;
      }
      case 'MembershipGranted':
      case 'MemberRolesChanged': {
        const { tenant_id, user_id, roles } = e.data;
        const reqs = tx.collection<MfaRequirementView>('mfa_requirements');
        const classes = tx.collection<MfaRoleClassView>('mfa_role_classes');
        const id = requirementId(tenant_id, user_id);
        // One read after the other: a MongoDB session runs one operation at a time (no Promise.all in a transaction).
        const policy = await policies.get(tenant_id);
        const cur = await reqs.get(id);
        const before = cur ? requirementOf(cur, await classes.get(roleClassId(tenant_id, cur.roles)), policy).required_since : null;
        await roleClass(classes, tenant_id, roles, policy, event);
        const required = requiringRoles(policy, roles).length > 0;
        await reqs.upsert({
          id,
          tenant_id,
          user_id,
          roles,
          entered_position: event.position,
          since_at_entry: required ? (before ?? event.occurred_at) : null,
        });
        break;
      }
      default:
        break;
    }
  },
});
