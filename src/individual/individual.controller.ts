import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { friendshipEvolver, friendshipStream, type FriendshipEvent, type FriendshipState } from './friends/friendship.decider.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { notFound } from '../shared/errors.js';
import { uuidParam } from '../shared/ids.js';
import { IpRateLimiter } from '../shared/ip-rate-limiter.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth, Public } from '../identity/auth/decorators.js';
import type { TokenPair } from '../identity/sessions/session-tokens.service.js';
import { RequiresSubsystem } from '../tenant-tier/requires-subsystem.js';
import type { IndividualContextView } from '../../projections/individual-contexts.js';
import { CreateContextDto, SignupDto, SignupVerifyDto, UpdateProfileDto } from './individual.dto.js';
import { CreateIndividualContext, UpdateIndividualProfile } from './profile/individual.handlers.js';
import { RequestIndividualSignup, VerifyIndividualSignup } from './signup/signup.handlers.js';

const ACCEPTED = {
  status: 'pending',
  detail: 'If this address can sign up, a 6-digit code is on its way by e-mail. Send it to /public/signup/individual/verify.',
};
const own = (v: IndividualContextView) => {
  const { id: _id, last_position: _p, stripe_event_ids: _e, stripe_last_event_at: _t, ...rest } = v;
  return rest;
};

@ApiTags('individual')
@Controller()
export class IndividualController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly limiter: IpRateLimiter,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  /** 202 and the same body for a new and an existing address (no enumeration). */
  @Public()
  @Post('public/signup/individual')
  @HttpCode(202)
  async signup(@Req() req: Request, @Body() dto: SignupDto) {
    this.limiter.hit('individual-signup', req.ip, 20, 3600);
    await this.gateway.run(
      new RequestIndividualSignup(dto.email, dto.password, {
        display_name: dto.display_name,
        country: dto.country,
        language: dto.language,
      }),
    );
    return ACCEPTED;
  }

  @Public()
  @Post('public/signup/individual/verify')
  @HttpCode(201)
  async verify(@Req() req: Request, @Body() dto: SignupVerifyDto) {
    this.limiter.hit('individual-signup-verify', req.ip, 30, 60);
    const r = await this.gateway.run<TokenPair & { user_id: string; tenant_id: string; position: number }>(
      new VerifyIndividualSignup(dto.email, dto.code),
    );
    const { position: _p, ...body } = r;
    return body;
  }

  /** For a user who already has an account: not gated (their current tenant may be a club); answers the personal tenant to log in to. */
  @ApiBearerAuth()
  @Post('me/individual-context')
  @HttpCode(201)
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateContextDto) {
    const r = await this.gateway.run<{ position: number; tenant_id: string }>(new CreateIndividualContext(auth.user_id, dto));
    return { user_id: auth.user_id, tenant_id: r.tenant_id };
  }

  @ApiBearerAuth()
  @RequiresSubsystem('F02.08')
  @Get('me/individual-context')
  async mine(@CurrentAuth() auth: AuthContext) {
    const v = await this.reads.collection<IndividualContextView>('individual_contexts').get(auth.user_id);
    if (!v) throw notFound('individual_context_not_found', 'You have no individual player profile yet (POST /me/individual-context).');
    return own(v);
  }

  @ApiBearerAuth()
  @RequiresSubsystem('F02.08')
  @Patch('me/individual-context')
  async update(@CurrentAuth() auth: AuthContext, @Body() dto: UpdateProfileDto) {
    await this.gateway.run(new UpdateIndividualProfile(auth.user_id, dto));
    return this.mine(auth);
  }

  /** Another player's public profile, only when they made it public (404 otherwise, the same as no such player). */
  @ApiBearerAuth()
  @RequiresSubsystem('F02.08')
  @Get('players/:user_id')
  async player(@CurrentAuth() auth: AuthContext, @Param('user_id', uuidParam('player_not_found', 'No such player.')) userId: string) {
    const v = await this.reads.collection<IndividualContextView>('individual_contexts').get(userId.toLowerCase());
    const rel = (
      await this.repo.load<FriendshipState, FriendshipEvent>(friendshipStream(auth.user_id, userId.toLowerCase()), friendshipEvolver)
    ).state;
    // a player who blocked the caller does not exist for them
    if (!v || !v.privacy_public_profile || (rel.status === 'BLOCKED' && rel.blocked_by !== auth.user_id))
      throw notFound('player_not_found', 'No such player.');
    return {
      user_id: v.user_id,
      display_name: v.display_name,
      country: v.country,
      preferred_position: v.preferred_position,
      handicap_hint: v.handicap_hint,
      subscription_tier: v.subscription_tier,
    };
  }
}
