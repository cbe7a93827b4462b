import type { ReadStore } from '../../readstore/read-store.port.js';
import type { MembershipView } from '../../../projections/users.js';

export const ADMIN_ROLE = 'tenant_admin';

/** How many members other than `userId` hold tenant_admin in the tenant (the last-admin rule of removal and demotion). */
export async function otherTenantAdmins(reads: ReadStore, tenantId: string, userId: string): Promise<number> {
  const page = await reads.collection<MembershipView>('memberships').find({ where: { tenant_id: tenantId }, limit: 10_000 });
  return page.items.filter((m) => m.user_id !== userId && m.roles.includes(ADMIN_ROLE)).length;
}
