import { Inject, Injectable } from '@nestjs/common';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { forbidden, notFound } from '../shared/errors.js';
import { assertTenantContext } from '../identity/auth/tenant-context.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { assertTenantAdmin } from '../identity/members/members.controller.js';
import { ChainAccess, VENUE_STAFF_ROLES } from '../chain/chain-access.js';
import { isActiveMember } from '../chain/leagues/league.handlers.js';
import type { MembershipView } from '../../projections/users.js';
import { membershipId } from '../../projections/users.js';
import type { ChainView } from '../../projections/chains.js';
import type { PassportView } from '../../projections/chain-passports.js';

export type PassportRole = 'owner' | 'chain_admin' | 'venue_staff';

/**
 * Who may do what with passports. The session's tenant is the place the caller acts from:
 * - a player acts from the chain itself or from an ACTIVE member venue of it (signed in there);
 * - a chain admin: a tenant_admin of the chain, signed in to the chain;
 * - venue staff: role staff or tenant_admin of an ACTIVE member venue, signed in to that venue.
 * A passport that the caller may not see is 404 passport_not_found (another chain's passports do
 * not exist from here).
 */
@Injectable()
export class PassportAccess {
  constructor(
    private readonly chains: ChainAccess,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  /** The chain, when the session is the chain or one of its ACTIVE member venues; else 403 tenant_context_mismatch. */
  async inChain(auth: AuthContext, chainId: string): Promise<ChainView> {
    const chain = await this.chains.chain(chainId);
    if (auth.tenant_id !== chainId && !(await isActiveMember(this.repo, chainId, auth.tenant_id))) assertTenantContext(auth, [chainId]);
    return chain;
  }

  private async hasRole(auth: AuthContext, roles: string[]): Promise<boolean> {
    const m = await this.reads.collection<MembershipView>('memberships').get(membershipId(auth.tenant_id, auth.user_id));
    return !!m && m.roles.some((r) => roles.includes(r));
  }

  /**
   * Venue staff of `venueId` (signed in to it) acting on a passport: the staff check comes first, so
   * nobody else can probe passport ids; the venue must be an ACTIVE member of the passport's chain
   * (403 venue_not_in_chain: a venue outside the chain, or another chain's passport).
   */
  async staffFor(auth: AuthContext, venueId: string, passportId: string): Promise<PassportView> {
    await this.chains.venueStaff(auth, venueId);
    const p = await this.passport(passportId);
    await this.assertMemberVenue(p.chain_id, venueId);
    return p;
  }

  async assertMemberVenue(chainId: string, venueId: string): Promise<void> {
    if (!(await isActiveMember(this.repo, chainId, venueId)))
      throw forbidden('venue_not_in_chain', "This venue is not an ACTIVE member of the passport's chain.");
  }

  /** A chain admin of the chain or staff of one of its ACTIVE member venues, from that session. */
  async adminOrStaff(auth: AuthContext, chainId: string): Promise<PassportRole> {
    if (auth.tenant_id === chainId) {
      await assertTenantAdmin(this.reads, auth, chainId);
      return 'chain_admin';
    }
    await this.inChain(auth, chainId);
    await assertTenantAdmin(this.reads, auth, auth.tenant_id, VENUE_STAFF_ROLES);
    return 'venue_staff';
  }

  /** The caller's roles towards a passport; none at all is 404 passport_not_found. */
  async rolesFor(auth: AuthContext, p: PassportView): Promise<PassportRole[]> {
    const roles: PassportRole[] = [];
    const here = auth.tenant_id === p.chain_id || (await isActiveMember(this.repo, p.chain_id, auth.tenant_id));
    if (!here) throw notFound('passport_not_found', 'No such passport.');
    if (auth.user_id === p.user_id) roles.push('owner');
    if (auth.tenant_id === p.chain_id && (await this.hasRole(auth, ['tenant_admin']))) roles.push('chain_admin');
    if (auth.tenant_id !== p.chain_id && (await this.hasRole(auth, VENUE_STAFF_ROLES))) roles.push('venue_staff');
    if (!roles.length) throw notFound('passport_not_found', 'No such passport.');
    return roles;
  }

  async passport(passportId: string): Promise<PassportView> {
    const p = await this.reads.collection<PassportView>('chain_passports').get(passportId);
    if (!p) throw notFound('passport_not_found', 'No such passport.');
    return p;
  }
}
