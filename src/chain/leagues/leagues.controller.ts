import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { uuidParam } from '../../shared/ids.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth } from '../../identity/auth/decorators.js';
import { RequiresSubsystem } from '../../tenant-tier/requires-subsystem.js';
import type { ChainLeagueView } from '../../../projections/chain-leagues.js';
import type { StandingView } from '../../../projections/chain-league-standings.js';
import { assertTenantContext } from '../../identity/auth/tenant-context.js';
import { ChainAccess } from '../chain-access.js';
import { CreateLeagueDto, LeaderboardQuery, LeagueResultDto, ListQuery } from '../chain.dto.js';
import { CHAIN_ID } from '../venues/venues.controller.js';
import type { LeagueResultEvent } from './league.decider.js';
import { CreateLeague, isActiveMember, loadLeague, RecordLeagueResult } from './league.handlers.js';

const LEAGUE_ID = () => uuidParam('league_not_found', 'No such league in this chain.');
const leagueItem = (l: ChainLeagueView) => ({
  league_id: l.league_id,
  chain_id: l.chain_id,
  name: l.name,
  venue_ids: l.venue_ids,
  season_start: l.season_start,
  season_end: l.season_end,
  created_at: l.created_at,
});

/** Cross-venue leagues (F02.09.02). */
@ApiTags('chain')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller('chain/:chain_id/leagues')
export class LeaguesController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly access: ChainAccess,
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Body() dto: CreateLeagueDto) {
    await this.access.chainAdmin(auth, chainId);
    const venueIds = dto.venue_ids.map((v) => v.toLowerCase());
    const r = await this.gateway.run<{ position: number; league_id: string }>(
      new CreateLeague(chainId, dto.name.trim(), venueIds, dto.season_start, dto.season_end, auth.user_id),
    );
    return {
      league_id: r.league_id,
      chain_id: chainId,
      name: dto.name.trim(),
      venue_ids: venueIds,
      season_start: dto.season_start,
      season_end: dto.season_end,
    };
  }

  @Get()
  async list(@CurrentAuth() auth: AuthContext, @Param('chain_id', CHAIN_ID()) chainId: string, @Query() q: ListQuery) {
    await this.access.chainAdmin(auth, chainId);
    const page = await this.reads.collection<ChainLeagueView>('chain_leagues').find({
      where: { chain_id: chainId },
      sort: [['season_start', 'desc']],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return { items: page.items.map(leagueItem), next_cursor: page.next_cursor };
  }

  /** Venue staff record results of their own venue (a venue session; the venue is the acting tenant). */
  @Post(':league_id/results')
  @HttpCode(201)
  async record(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('league_id', LEAGUE_ID()) leagueId: string,
    @Body() dto: LeagueResultDto,
  ) {
    const venueId = dto.venue_id.toLowerCase();
    await this.access.venueStaff(auth, venueId);
    const r = await this.gateway.run<{ position: number; result: LeagueResultEvent['data'] }>(
      new RecordLeagueResult(
        chainId,
        leagueId,
        { ...dto, venue_id: venueId, player_user_id: dto.player_user_id.toLowerCase() },
        auth.user_id,
      ),
    );
    const { recorded_by: _b, ...result } = r.result;
    return result;
  }

  /**
   * The ranking from the projection: chain admins (chain session) and the staff of a venue of the
   * league (venue session). Ranks are competition ranks: equal wins, difference and points for
   * share a rank, the next rank skips (1, 2, 2, 4).
   */
  @Get(':league_id/leaderboard')
  async leaderboard(
    @CurrentAuth() auth: AuthContext,
    @Param('chain_id', CHAIN_ID()) chainId: string,
    @Param('league_id', LEAGUE_ID()) leagueId: string,
    @Query() q: LeaderboardQuery,
  ) {
    if (auth.tenant_id === chainId) {
      await this.access.chainAdmin(auth, chainId);
      await loadLeague(this.repo, chainId, leagueId);
    } else {
      await this.access.venueStaff(auth, auth.tenant_id);
      // a venue session reads only leagues of its own chain in which it plays
      if (!(await isActiveMember(this.repo, chainId, auth.tenant_id))) assertTenantContext(auth, [chainId]);
      const league = await loadLeague(this.repo, chainId, leagueId);
      if (!league.venue_ids.includes(auth.tenant_id)) assertTenantContext(auth, [chainId]);
    }
    const scope = q.venue_id ? q.venue_id.toLowerCase() : 'all';
    const rows = this.reads.collection<StandingView>('chain_league_standings');
    const page = await rows.find({
      where: { league_id: leagueId, scope },
      sort: [['rank_key', 'asc']],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    // one count per distinct key on the page (indexed), never a scan of the results
    const ranks = new Map<string, number>();
    for (const s of page.items)
      if (!ranks.has(s.rank_key))
        ranks.set(s.rank_key, 1 + (await rows.count({ league_id: leagueId, scope, rank_key: { lt: s.rank_key } })));
    return {
      league_id: leagueId,
      venue_id: q.venue_id ? scope : null,
      items: page.items.map((s) => ({
        rank: ranks.get(s.rank_key)!,
        player_user_id: s.player_user_id,
        played: s.played,
        wins: s.wins,
        losses: s.losses,
        points_for: s.points_for,
        points_against: s.points_against,
        point_diff: s.point_diff,
      })),
      next_cursor: page.next_cursor,
    };
  }
}
