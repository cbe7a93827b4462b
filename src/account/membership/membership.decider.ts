import { conflict, notFound } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';
import type { UserEvent, UserState } from '../../identity/users/user.decider.js';

import { ADMIN_ROLE } from '../../identity/members/tenant-admins.js';

/**
 * A member leaves a tenant (issue 16 item 2). `otherAdmins` is how many other members hold
 * tenant_admin there: the last admin cannot be removed, or nobody could manage the tenant.
 */
export function decideEndMembership(s: UserState, tenantId: string, by: string, otherAdmins: number): UserEvent[] {
  const roles = own(s.memberships, tenantId);
  if (!s.exists || !roles) throw notFound('member_not_found', 'No such member in this tenant.');
  if (roles.includes(ADMIN_ROLE) && otherAdmins === 0)
    throw conflict('last_admin', 'This is the last administrator of the tenant; make someone else an administrator first.');
  return [{ type: 'MembershipEnded', data: { user_id: s.user_id, tenant_id: tenantId, roles, by, reason: 'removed' } }];
}

/** Deactivation stops every login of the person, in every tenant, until reactivated. */
export function decideDeactivate(s: UserState, by: string, reason: string): UserEvent[] {
  if (!s.exists) throw notFound('user_not_found', 'No such user.');
  if (s.user_id === by) throw conflict('cannot_deactivate_self', 'An operator cannot deactivate their own account.');
  if (!s.active) return [];
  return [{ type: 'UserDeactivated', data: { user_id: s.user_id, by, reason } }];
}

export function decideReactivate(s: UserState, by: string): UserEvent[] {
  if (!s.exists) throw notFound('user_not_found', 'No such user.');
  if (s.erased) throw conflict('user_erased', "This person's data has been erased; the account cannot be reactivated.");
  if (s.active) return [];
  return [{ type: 'UserReactivated', data: { user_id: s.user_id, by } }];
}
