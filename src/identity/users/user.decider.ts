import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict, notFound } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';

export const SYS_ROLE_NAMES = ['support', 'finance', 'security'] as const;
export type Language = 'sv' | 'en';

export type UserEvent =
  | DomainEvent<'UserRegistered', { user_id: string; email: string; display_name: string; language: Language; password_hash: string }>
  | DomainEvent<'PasswordChanged', { user_id: string; password_hash: string }>
  /** `granted_by`: set when an operator made an already existing account a member (the person is told). */
  | DomainEvent<'MembershipGranted', { user_id: string; tenant_id: string; roles: string[]; granted_by?: string | null }>
  | DomainEvent<'MemberRolesChanged', { user_id: string; tenant_id: string; roles: string[]; previous_roles: string[] }>
  | DomainEvent<'SysRolesGranted', { user_id: string; sys_roles: string[] }>
  | DomainEvent<'SysRolesChanged', { user_id: string; sys_roles: string[]; previous: string[]; changed_by: string | null }>
  | DomainEvent<'OtherSessionsRevoked', { user_id: string; kept_session_id: string | null; count: number; reason: string }>
  // account lifecycle (issue 16)
  | DomainEvent<'PasswordReset', { user_id: string; password_hash: string; reset_id: string }>
  | DomainEvent<'MembershipEnded', { user_id: string; tenant_id: string; roles: string[]; by: string | null; reason: string }>
  | DomainEvent<'UserDeactivated', { user_id: string; by: string; reason: string }>
  | DomainEvent<'UserReactivated', { user_id: string; by: string }>
  | DomainEvent<'EmailChanged', { user_id: string; email: string; previous_email: string; change_id: string }>
  // GDPR erasure (issue 16 item 5): the person's data key is destroyed; the account stays closed
  | DomainEvent<'PersonalDataErased', { user_id: string; by: string; reason: string }>;

export interface UserState {
  exists: boolean;
  user_id: string;
  email: string;
  display_name: string;
  language: Language;
  password_hash: string;
  memberships: Record<string, string[]>;
  /** Tenant ids in the order the memberships were granted (the default tenant at login is the first). */
  tenant_order: string[];
  sys_roles: string[];
  /** False after UserDeactivated: no login anywhere until UserReactivated. */
  active: boolean;
  /** Counts password changes and resets: a reset link issued under an older epoch is dead. */
  password_epoch: number;
  /** True after PersonalDataErased: never active again (absent in older snapshots = false). */
  erased?: boolean;
}

export const userStream = (id: string) => `user-${id}`;
export const userEvolver = {
  snapshot: { schema: 1 },
  initialState: (): UserState => ({
    exists: false,
    user_id: '',
    email: '',
    display_name: '',
    language: 'en',
    password_hash: '',
    memberships: {},
    tenant_order: [],
    sys_roles: [],
    active: true,
    password_epoch: 0,
  }),
  evolve(s: UserState, e: UserEvent): UserState {
    switch (e.type) {
      case 'UserRegistered':
        return { ...s, exists: true, ...e.data };
      case 'PasswordChanged':
      case 'PasswordReset':
        return { ...s, password_hash: e.data.password_hash, password_epoch: s.password_epoch + 1 };
      case 'MembershipGranted':
        return {
          ...s,
          memberships: { ...s.memberships, [e.data.tenant_id]: e.data.roles },
          tenant_order: s.tenant_order.includes(e.data.tenant_id) ? s.tenant_order : [...s.tenant_order, e.data.tenant_id],
        };
      case 'MemberRolesChanged':
        return { ...s, memberships: { ...s.memberships, [e.data.tenant_id]: e.data.roles } };
      case 'SysRolesGranted':
        return { ...s, sys_roles: [...new Set([...s.sys_roles, ...e.data.sys_roles])] };
      case 'SysRolesChanged':
        return { ...s, sys_roles: e.data.sys_roles };
      case 'OtherSessionsRevoked':
        return s;
      case 'MembershipEnded': {
        const memberships = { ...s.memberships };
        delete memberships[e.data.tenant_id];
        return { ...s, memberships, tenant_order: s.tenant_order.filter((t) => t !== e.data.tenant_id) };
      }
      case 'UserDeactivated':
        return { ...s, active: false };
      case 'UserReactivated':
        return { ...s, active: true };
      case 'EmailChanged':
        return { ...s, email: e.data.email };
      case 'PersonalDataErased':
        return { ...s, active: false, erased: true };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

export const normaliseRoles = (roles: string[]) => [...new Set(roles.map((r) => r.trim().toLowerCase()).filter(Boolean))].sort();

export function decideGrantMembership(
  s: UserState,
  tenantId: string,
  roles: string[],
  operator?: { by: string | null },
): UserEvent[] {
  if (!s.exists) throw notFound('user_not_found', 'No such user.');
  const wanted = normaliseRoles(roles);
  const current = own(s.memberships, tenantId);
  if (current) {
    if (current.join() === wanted.join()) return [];
    throw conflict('member_exists', 'This user is already a member of the tenant; change roles with PATCH.');
  }
  const data = { user_id: s.user_id, tenant_id: tenantId, roles: wanted };
  return [{ type: 'MembershipGranted', data: operator ? { ...data, granted_by: operator.by } : data }];
}

/** `otherAdmins`: tenant_admins other than this member; demoting the last one is refused like removing them. */
export function decideChangeRoles(s: UserState, tenantId: string, roles: string[], otherAdmins = Infinity): UserEvent[] {
  const current = own(s.memberships, tenantId);
  if (!s.exists || !current) throw notFound('member_not_found', 'No such member in this tenant.');
  const wanted = normaliseRoles(roles);
  if (wanted.length === 0) throw badRequest('validation_failed', 'roles must not be empty');
  if (current.join() === wanted.join()) return [];
  if (current.includes('tenant_admin') && !wanted.includes('tenant_admin') && otherAdmins === 0)
    throw conflict('last_admin', 'This is the last administrator of the tenant; make someone else an administrator first.');
  return [{ type: 'MemberRolesChanged', data: { user_id: s.user_id, tenant_id: tenantId, roles: wanted, previous_roles: current } }];
}

/** PUT semantics: the operator roles become exactly `roles` (sorted, unique); unchanged -> nothing. */
export function decideSetSysRoles(s: UserState, roles: string[], by: string | null): UserEvent[] {
  if (!s.exists) throw notFound('user_not_found', 'No such user.');
  const wanted = [...new Set(roles)].sort();
  const previous = [...s.sys_roles].sort();
  if (wanted.join() === previous.join()) return [];
  return [{ type: 'SysRolesChanged', data: { user_id: s.user_id, sys_roles: wanted, previous, changed_by: by } }];
}
