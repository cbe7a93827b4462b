import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { uuidParam } from '../../shared/ids.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth, RequiresSysRole } from '../../identity/auth/decorators.js';
import { RequiresSubsystem } from '../../tenant-tier/requires-subsystem.js';
import type { ChainMembershipView } from '../../../projections/chain-memberships.js';
import type { TierSnapshotDoc } from '../../../projections/tenant-tiers.js';
import { ChainAccess } from '../chain-access.js';
import { AddVenueDto, CreateChainDto, MembershipsQuery } from '../chain.dto.js';
import { CreateChain, type CreateChainResult } from '../chains/create-chain.handler.js';
import type { Membership } from './chain-membership.decider.js';
import { AcceptChain, InviteVenue, RemoveVenue } from './membership.handlers.js';

export const CHAIN_ID = () => uuidParam('chain_not_found', 'No such chain.');
export const VENUE_ID = () => uuidParam('venue_not_found', 'No such venue.');

const membershipItem = (chainId: string, venueId: string, m: Membership) => ({
  membership_id: m.membership_id,
  chain_id: chainId,
  venue_id: venueId,
  status: m.status,
  invited_at: m.invited_at,
  joined_at: m.joined_at,
  left_at: m.left_at,
});

/** Chain tenants and venue links (F02.09.01). */
@ApiTags('chain')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller()
export class VenuesController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: ChainAccess,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post('admin/tenants/chain')
  @RequiresSysRole('support', 'security')
  @HttpCode(201)
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateChainDto) {
    const a = dto.admin;
    const r = await this.gateway.run<CreateChainResult>(
      new CreateChain(
        dto.name,
        dto.chain_code,
        dto.country,
        { email: a.email, display_name: a.display_name, password: a.password ?? null, language: a.language ?? 'en' },
        auth.user_id,
      ),
    );
    const { position: _p, ...body } = r;
    return { ...body, tenant_id: r.chain_id, tenant_type: 'CHAIN', name: dto.name.trim(), country: dto.country };
  }

  @Post('chain/:chain_id/add-venue')
  @HttpCode(201)
  async invite(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Body() dto: AddVenueDto) {
    await this.access.chainAdmin(auth, chainId);
    const venueId = dto.venue_tenant_id.toLowerCase();
    const r = await this.gateway.run<{ position: number; membership: Membership }>(new InviteVenue(chainId, venueId, auth.user_id));
    return membershipItem(chainId, venueId, r.membership);
  }

  @Post('venue/:venue_id/accept-chain/:chain_id')
  @HttpCode(200)
  async accept(
    @CurrentAuth() auth: AuthContext,
    @Param('venue_id', VENUE_ID()) venueId: string,
    @Param('chain_id', CHAIN_ID()) chainId: string,
  ) {
    await this.access.venueAdmin(auth, venueId);
    const r = await this.gateway.run<{ position: number; membership: Membership }>(new AcceptChain(venueId, chainId, auth.user_id));
    return membershipItem(chainId, venueId, r.membership);
  }

  @Delete('chain/:chain_id/venues/:venue_id')
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('venue_id', VENUE_ID()) venueId: string,
  ) {
    await this.access.chainAdmin(auth, chainId);
    const r = await this.gateway.run<{ position: number; membership: Membership }>(new RemoveVenue(chainId, venueId, auth.user_id));
    return membershipItem(chainId, venueId, r.membership);
  }

  /** Every membership period of the chain, newest invitation first. */
  @Get('chain/:chain_id/venues')
  async list(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Query() q: MembershipsQuery) {
    await this.access.chainAdmin(auth, chainId);
    const page = await this.reads.collection<ChainMembershipView>('chain_memberships').find({
      where: q.status ? { chain_id: chainId, status: q.status } : { chain_id: chainId },
      sort: [['invited_at', 'desc']],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    const tiers = this.reads.collection<TierSnapshotDoc>('tenant_tiers');
    const items = await Promise.all(
      page.items.map(async (m) => ({
        membership_id: m.membership_id,
        chain_id: m.chain_id,
        venue_id: m.venue_id,
        venue_name: (await tiers.get(m.venue_id))?.name ?? null,
        status: m.status,
        invited_at: m.invited_at,
        joined_at: m.joined_at,
        left_at: m.left_at,
      })),
    );
    return { items, next_cursor: page.next_cursor };
  }
}
