import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { notFound } from '../shared/errors.js';
import { assertTenantContext } from '../identity/auth/tenant-context.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { assertTenantAdmin } from '../identity/members/members.controller.js';
import type { ChainView } from '../../projections/chains.js';
import { membershipId, type MembershipView } from '../../projections/users.js';

/**
 * Who may act on a chain route. The central rule (`assertTenantContext`: the session's `tid` is
 * the tenant acted on) is applied by the global guard to `tenant_id` parameters only; chain routes
 * name their acting tenant differently, so each check here applies it to the route's actor:
 * `chain_id` on /chain/{chain_id}/… for chain admins (a chain session), `venue_id` on
 * /venue/{venue_id}/… and the result's venue for venue staff (a venue session). The other id in
 * such a path (the chain a venue accepts, the venue a chain removes) is the counterpart, not the
 * actor, and is checked against the membership instead (404 when it is not this chain's).
 */
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
    assertTenantContext(auth, [chainId]);
    const c = await this.chain(chainId);
    await assertTenantAdmin(this.reads, auth, chainId);
    return c;
  }

  /**
   * A reader of the chain from the chain's session: its tenant_admins (`admin: true`) or its
   * members with the role staff (`admin: false`, who see personal data masked).
   */
  async chainReader(auth: AuthContext, chainId: string): Promise<{ chain: ChainView; admin: boolean }> {
    assertTenantContext(auth, [chainId]);
    const c = await this.chain(chainId);
    await assertTenantAdmin(this.reads, auth, chainId, VENUE_STAFF_ROLES);
    const m = await this.reads.collection<MembershipView>('memberships').get(membershipId(chainId, auth.user_id));
    return { chain: c, admin: m?.roles.includes('tenant_admin') ?? false };
  }

  /** A tenant_admin of the venue, signed in to the venue. */
  async venueAdmin(auth: AuthContext, venueId: string): Promise<void> {
    assertTenantContext(auth, [venueId]);
    await assertTenantAdmin(this.reads, auth, venueId);
  }

  /** Venue staff: a member of the venue with the role staff, or its tenant admin, signed in to the venue. */
  async venueStaff(auth: AuthContext, venueId: string): Promise<void> {
    assertTenantContext(auth, [venueId]);
    await assertTenantAdmin(this.reads, auth, venueId, VENUE_STAFF_ROLES);
  }
}
