import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { forbidden, notFound } from '../shared/errors.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { assertTenantAdmin } from '../identity/members/members.controller.js';
import type { ChainView } from '../../projections/chains.js';

/**
 * Who may act on a chain route. The central rule (the session's `tid` is the tenant acted on)
 * recognises `tenant_id` parameters; chain routes name their acting tenant differently, so each
 * route says which one it is: `chain_id` on /chain/{chain_id}/… for chain admins (a chain
 * session), `venue_id` on /venue/{venue_id}/… and the result's venue for venue staff (a venue
 * session). The other ids in such a path (the chain a venue accepts, the venue a chain removes)
 * are the counterpart, not the actor, and are checked against the membership instead.
 */
export function assertActingTenant(auth: AuthContext, tenantId: string, crossTenantSysRoles: readonly string[] = []): void {
  if (auth.tenant_id === tenantId) return;
  if (crossTenantSysRoles.some((r) => auth.sys_roles.includes(r))) return;
  throw forbidden(
    'tenant_context_mismatch',
    'This request names another tenant than the one you are signed in to. Sign in to that tenant (POST /auth/login with tenant_id) to act on it.',
    { session_tenant_id: auth.tenant_id },
  );
}

export const VENUE_STAFF_ROLES = ['staff', 'tenant_admin'];

@Injectable()
export class ChainAccess {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async chain(chainId: string): Promise<ChainView> {
    const c = await this.reads.collection<ChainView>('chains').get(chainId);
    if (!c) throw notFound('chain_not_found', 'No such chain.');
    return c;
  }

  /** A tenant_admin of the chain, signed in to the chain. */
  async chainAdmin(auth: AuthContext, chainId: string): Promise<ChainView> {
    assertActingTenant(auth, chainId);
    const c = await this.chain(chainId);
    await assertTenantAdmin(this.reads, auth, chainId);
    return c;
  }

  /** A tenant_admin of the venue, signed in to the venue. */
  async venueAdmin(auth: AuthContext, venueId: string): Promise<void> {
    assertActingTenant(auth, venueId);
    await assertTenantAdmin(this.reads, auth, venueId);
  }

  /** Venue staff: a member of the venue with the role staff, or its tenant admin, signed in to the venue. */
  async venueStaff(auth: AuthContext, venueId: string): Promise<void> {
    assertActingTenant(auth, venueId);
    await assertTenantAdmin(this.reads, auth, venueId, VENUE_STAFF_ROLES);
  }
}
