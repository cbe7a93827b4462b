import { defineProjection } from '../src/projections-runtime/projection.js';
import type { UserEvent } from '../src/identity/users/user.decider.js';
import type { TenantEvent } from '../src/identity/tenants/tenant.decider.js';
import { ERASED } from '../src/privacy/personal-data-rule.js';

/** Users (profile, no secrets), tenants and memberships: what the members API and token issuing read. */
export interface UserView {
  id: string;
  email: string;
  display_name: string;
  language: 'sv' | 'en';
  sys_roles: string[];
  created_at: string;
  password_changed_at: string | null;
  /** 'active' unless deactivated (absent on documents written before issue 16 = active). */
  status?: 'active' | 'deactivated';
  [k: string]: unknown;
}
export interface MembershipView {
  id: string;
  tenant_id: string;
  user_id: string;
  roles: string[];
  joined_at: string;
  roles_changed_at: string;
  [k: string]: unknown;
}
export interface TenantView {
  id: string;
  name: string;
  tenant_type: string;
  country?: string | null;
  created_at: string;
  [k: string]: unknown;
}

/** An erased address is unique per person (the email index is unique) and still reads as erased. */
const storedEmail = (userId: string, email: string) => (email === ERASED ? `${ERASED}:${userId}` : email);

export const membershipId = (tenantId: string, userId: string) => `${tenantId}:${userId}`;

export const usersProjection = defineProjection({
  name: 'users',
  collections: [
    { name: 'users', indexes: [{ fields: ['email'], unique: true }] },
    { name: 'memberships', indexes: [{ fields: ['tenant_id', 'joined_at'] }, { fields: ['user_id', 'joined_at'] }] },
    { name: 'tenants' },
  ],
  handles: [
    'UserRegistered',
    'PasswordChanged',
    'MembershipGranted',
    'MemberRolesChanged',
    'SysRolesGranted',
    'SysRolesChanged',
    'TenantCreated',
    'TenantTypeChanged',
    'PasswordReset',
    'MembershipEnded',
    'UserDeactivated',
    'UserReactivated',
    'EmailChanged',
    'PersonalDataErased',
  ],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as UserEvent | TenantEvent;
    const users = tx.collection<UserView>('users');
    const memberships = tx.collection<MembershipView>('memberships');
    switch (e.type) {
      case 'TenantCreated':
        await tx.collection<TenantView>('tenants').upsert({
          id: e.data.tenant_id,
          name: e.data.name,
          tenant_type: e.data.tenant_type,
          country: e.data.country ?? null,
          created_at: event.occurred_at,
        });
        break;
      case 'UserRegistered':
        await users.upsert({
          id: e.data.user_id,
          email: storedEmail(e.data.user_id, e.data.email),
          display_name: e.data.display_name,
          language: e.data.language,
          sys_roles: [],
          created_at: event.occurred_at,
          password_changed_at: null,
        });
        break;
      case 'PasswordChanged':
      case 'PasswordReset':
        await users.patch(e.data.user_id, { set: { password_changed_at: event.occurred_at } });
        break;
      case 'SysRolesGranted': {
        const u = await users.get(e.data.user_id);
        if (u) await users.patch(u.id, { set: { sys_roles: [...new Set([...u.sys_roles, ...e.data.sys_roles])].sort() } });
        break;
      }
      case 'SysRolesChanged':
        await users.patch(e.data.user_id, { set: { sys_roles: [...e.data.sys_roles].sort() } });
        break;
      case 'MembershipGranted':
        await memberships.upsert({
          id: membershipId(e.data.tenant_id, e.data.user_id),
          tenant_id: e.data.tenant_id,
          user_id: e.data.user_id,
          roles: e.data.roles,
          joined_at: event.occurred_at,
          roles_changed_at: event.occurred_at,
        });
        break;
      case 'MemberRolesChanged':
        await memberships.patch(membershipId(e.data.tenant_id, e.data.user_id), {
          set: { roles: e.data.roles, roles_changed_at: event.occurred_at },
        });
        break;
      case 'MembershipEnded':
        // the person's history stays in the audit; the membership itself is gone
        await memberships.delete(membershipId(e.data.tenant_id, e.data.user_id));
        break;
      case 'UserDeactivated':
        await users.patch(e.data.user_id, { set: { status: 'deactivated' } });
        break;
      case 'UserReactivated':
        await users.patch(e.data.user_id, { set: { status: 'active' } });
        break;
      case 'EmailChanged':
        await users.patch(e.data.user_id, { set: { email: storedEmail(e.data.user_id, e.data.email) } });
        break;
      case 'PersonalDataErased':
        await users.patch(e.data.user_id, {
          set: { status: 'deactivated', erased: true, email: storedEmail(e.data.user_id, ERASED), display_name: ERASED },
        });
        break;
      default:
        // the current type (tier stream): /me and token issuing show the type the tenant has now
        if (event.type === 'TenantTypeChanged')
          await tx.collection<TenantView>('tenants').patch(String(event.data.tenant_id), { set: { tenant_type: event.data.tenant_type } });
        break;
    }
  },
});
