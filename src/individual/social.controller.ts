import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { READ_STORE, type ReadStore, type Where } from '../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { notFound } from '../shared/errors.js';
import { uuidParam } from '../shared/ids.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth } from '../identity/auth/decorators.js';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { RequiresSubsystem } from '../tenant-tier/requires-subsystem.js';
import type { CasualMatchView } from '../../projections/casual-matches.js';
import type { FriendshipView } from '../../projections/friendships.js';
import { FriendRequestDto, FriendsQuery, MatchesQuery, RecordMatchDto, VerifyMatchDto } from './individual.dto.js';
import {
  decideDevUpgrade,
  individualEvolver,
  individualStream,
  isPremiumActive,
  type IndividualEvent,
  type IndividualState,
} from './profile/individual.decider.js';
import { FriendAction, RecordCasualMatch, VerifyCasualMatch } from './social.handlers.js';

const OTHER = () => uuidParam('player_not_found', 'No such player.');
const matchItem = (m: CasualMatchView) => ({
  id: m.match_id,
  opponent_user_id: m.opponent_user_id,
  role: m.role,
  played_at: m.played_at,
  score: m.score,
  status: m.status,
  created_at: m.created_at,
  expires_at: m.expires_at,
  answered_at: m.answered_at,
});

/** Casual matches, friends and the premium gate (F02.08.02-.04); every route needs F02.08. */
@ApiTags('individual')
@ApiBearerAuth()
@RequiresSubsystem('F02.08')
@Controller('me')
export class SocialController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('casual-matches')
  @HttpCode(201)
  async record(@CurrentAuth() auth: AuthContext, @Body() dto: RecordMatchDto) {
    const r = await this.gateway.run<{ position: number; match_id: string }>(
      new RecordCasualMatch(auth.user_id, dto.opponent_user_id.toLowerCase(), dto.played_at, {
        me: dto.score.me,
        opponent: dto.score.opponent,
      }),
    );
    return this.match(auth.user_id, r.match_id);
  }

  @Post('casual-matches/:id/verify')
  @HttpCode(200)
  async verify(
    @CurrentAuth() auth: AuthContext,
    @Param('id', uuidParam('casual_match_not_found', 'No such match.')) id: string,
    @Body() dto: VerifyMatchDto,
  ) {
    await this.gateway.run(new VerifyCasualMatch(auth.user_id, id.toLowerCase(), dto.decision));
    return this.match(auth.user_id, id.toLowerCase());
  }

  /** The games where I am either player, newest first. */
  @Get('casual-matches')
  async matches(@CurrentAuth() auth: AuthContext, @Query() q: MatchesQuery) {
    const where: Where = { user_id: auth.user_id };
    if (q.status) where.status = q.status;
    const page = await this.reads
      .collection<CasualMatchView>('casual_matches')
      .find({ where, sort: [['played_at', 'desc']], limit: 50, cursor: q.cursor ?? null });
    return { items: page.items.map(matchItem), next_cursor: page.next_cursor };
  }

  @Post('friends/request')
  @HttpCode(201)
  async request(@CurrentAuth() auth: AuthContext, @Body() dto: FriendRequestDto) {
    await this.gateway.run(new FriendAction('request', auth.user_id, dto.user_id.toLowerCase()));
    return this.friend(auth.user_id, dto.user_id.toLowerCase());
  }

  @Post('friends/:id/accept')
  @HttpCode(200)
  async accept(@CurrentAuth() auth: AuthContext, @Param('id', OTHER()) id: string) {
    await this.gateway.run(new FriendAction('accept', auth.user_id, id.toLowerCase()));
    return this.friend(auth.user_id, id.toLowerCase());
  }

  @Post('friends/:id/block')
  @HttpCode(200)
  async block(@CurrentAuth() auth: AuthContext, @Param('id', OTHER()) id: string) {
    await this.gateway.run(new FriendAction('block', auth.user_id, id.toLowerCase()));
    return this.friend(auth.user_id, id.toLowerCase());
  }

  @Delete('friends/:id')
  async end(@CurrentAuth() auth: AuthContext, @Param('id', OTHER()) id: string) {
    await this.gateway.run(new FriendAction('end', auth.user_id, id.toLowerCase()));
    return { user_id: id.toLowerCase(), status: 'NONE' };
  }

  @Get('friends')
  async friends(@CurrentAuth() auth: AuthContext, @Query() q: FriendsQuery) {
    const where: Where = { user_id: auth.user_id };
    if (q.status) where.status = q.status;
    const page = await this.reads
      .collection<FriendshipView>('friendships')
      .find({ where, sort: [['since', 'desc']], limit: 100, cursor: q.cursor ?? null });
    const now = this.clock.now().toISOString();
    const items = page.items
      .filter(
        (f) => (!q.direction || f.direction === q.direction) && !(f.status === 'PENDING' && f.expires_at !== null && f.expires_at <= now),
      )
      .map(({ other_user_id, status, direction, since, expires_at }) => ({ user_id: other_user_id, status, direction, since, expires_at }));
    return { items, next_cursor: page.next_cursor };
  }

  /** The premium state (is_premium_active with the 7-day grace). */
  @Get('subscription')
  async subscription(@CurrentAuth() auth: AuthContext) {
    const s = (await this.repo.load<IndividualState, IndividualEvent>(individualStream(auth.user_id), individualEvolver)).state;
    if (!s.exists) throw notFound('individual_context_not_found', 'You have no individual player profile yet.');
    const p = isPremiumActive(s, this.clock.now());
    return {
      subscription_tier: s.subscription_tier,
      premium_valid_until: s.premium_valid_until,
      premium_active: p.active,
      grace_until: p.grace_until,
      cancelled: s.premium_cancelled,
    };
  }

  /** Without Stripe configured: 30 days of premium to try the flow; off when STRIPE_WEBHOOK_SECRET is set. */
  @Post('subscription/upgrade-dev')
  @HttpCode(200)
  async upgradeDev(@CurrentAuth() auth: AuthContext) {
    if (this.config.stripeWebhookSecret) throw notFound('not_found', 'Not available when Stripe is configured.');
    await this.repo.execute<IndividualState, IndividualEvent>(individualStream(auth.user_id), individualEvolver, (s) =>
      decideDevUpgrade(s, this.clock.now()),
    );
    return this.subscription(auth);
  }

  private async match(userId: string, matchId: string) {
    const m = await this.reads.collection<CasualMatchView>('casual_matches').get(`${matchId}:${userId}`);
    if (!m) throw notFound('casual_match_not_found', 'No such match.');
    return matchItem(m);
  }

  private async friend(userId: string, other: string) {
    const f = await this.reads.collection<FriendshipView>('friendships').get(`${userId}:${other}`);
    return f
      ? { user_id: other, status: f.status, direction: f.direction, since: f.since, expires_at: f.expires_at }
      : { user_id: other, status: 'NONE' };
  }
}
