import { Body, Controller, Get, Inject, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { badRequest, notFound } from '../shared/errors.js';
import { uuidParam } from '../shared/ids.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth } from '../identity/auth/decorators.js';
import { RequiresSubsystem } from '../tenant-tier/requires-subsystem.js';
import { ChainAccess } from '../chain/chain-access.js';
import { CHAIN_ID } from '../chain/venues/venues.controller.js';
import type { PassportView } from '../../projections/chain-passports.js';
import type { VisitTierDoc } from '../../projections/chain-passport-visit-tiers.js';
import { CheckInDto, PassportSettingsDto } from './passport.dto.js';
import { loadSettings, SetPassportSettings } from './passport.handlers.js';
import { PassportAccess } from './passport-access.js';
import { visitTiers } from './passport-views.js';
import { PassportService } from './passport.service.js';

const USER_ID = () => uuidParam('passport_not_found', 'No such passport.');

/**
 * The F02.09.03 routes by chain and player: the visit-tier view (rolling 365 days) and the QR
 * check-in under its original path (the same visit as POST /chain/passports/{id}/check-in), and
 * the chain's passport settings.
 */
@ApiTags('passport')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller('chain/:chain_id')
export class VisitTiersController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: PassportAccess,
    private readonly chains: ChainAccess,
    private readonly passports: PassportService,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async byUser(chainId: string, userId: string): Promise<PassportView> {
    const page = await this.reads
      .collection<PassportView>('chain_passports')
      .find({ where: { chain_id: chainId, user_id: userId }, limit: 1 });
    if (!page.items[0]) throw notFound('passport_not_found', 'No such passport.');
    return page.items[0];
  }

  @Get('passport/:user_id')
  async view(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('user_id', USER_ID()) userId: string,
  ) {
    await this.access.inChain(auth, chainId);
    const p = await this.byUser(chainId, userId.toLowerCase());
    await this.access.rolesFor(auth, p);
    const doc = await this.reads.collection<VisitTierDoc>('chain_passport_visit_tiers').get(p.passport_id);
    return { chain_id: chainId, user_id: p.user_id, passport_id: p.passport_id, ...visitTiers(doc, this.clock.now()) };
  }

  @Post('passport/:user_id/visit')
  async visit(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('user_id', USER_ID()) userId: string,
    @Body() dto: CheckInDto,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ) {
    await this.chains.venueStaff(auth, dto.venue_id.toLowerCase());
    await this.access.assertMemberVenue(chainId, dto.venue_id.toLowerCase());
    const p = await this.byUser(chainId, userId.toLowerCase());
    return this.passports.scan(auth, p.passport_id, dto, res);
  }

  @Get('passport-settings')
  async settings(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string) {
    await this.chains.chainAdmin(auth, chainId);
    return { chain_id: chainId, ...(await loadSettings(this.repo, chainId)) };
  }

  @Put('passport-settings')
  async setSettings(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Body() dto: PassportSettingsDto) {
    await this.chains.chainAdmin(auth, chainId);
    if (dto.platinum_points <= dto.gold_points)
      throw badRequest('validation_failed', 'platinum_points must be greater than gold_points', {
        errors: ['platinum_points must be greater than gold_points'],
      });
    const s = { gold_points: dto.gold_points, platinum_points: dto.platinum_points, check_in_points: dto.check_in_points };
    await this.gateway.run(new SetPassportSettings(chainId, s, auth.user_id));
    return { chain_id: chainId, ...s };
  }
}
