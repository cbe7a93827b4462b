import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import type { UserView } from '../../../projections/users.js';
import { activeMembership, venueMembershipEvolver, venueMembershipStream } from '../venues/chain-membership.decider.js';
import {
  decideCreateLeague,
  decideRecordResult,
  leagueEvolver,
  leagueResultStream,
  leagueStream,
  resultEvolver,
  type LeagueEvent,
  type LeagueResult,
  type LeagueResultEvent,
  type LeagueState,
} from './league.decider.js';

export class CreateLeague {
  constructor(
    readonly chainId: string,
    readonly name: string,
    readonly venueIds: string[],
    readonly seasonStart: string,
    readonly seasonEnd: string,
    readonly by: string,
  ) {}
}
export class RecordLeagueResult {
  constructor(
    readonly chainId: string,
    readonly leagueId: string,
    readonly result: LeagueResult,
    readonly by: string,
  ) {}
}

/** Whether the venue's own membership stream says it is ACTIVE in this chain (the stream, not a read model). */
export async function isActiveMember(repo: AggregateRepository, chainId: string, venueId: string): Promise<boolean> {
  const { state } = await repo.load(venueMembershipStream(venueId), venueMembershipEvolver(venueId));
  return activeMembership(state)?.chain_id === chainId;
}

/** The league of this chain, or 404 (another chain's league is not found from this chain). */
export async function loadLeague(repo: AggregateRepository, chainId: string, leagueId: string): Promise<LeagueState> {
  const { state } = await repo.load(leagueStream(leagueId), leagueEvolver);
  if (!state.exists || state.chain_id !== chainId) throw notFound('league_not_found', 'No such league in this chain.');
  return state;
}

@CommandHandler(CreateLeague)
export class CreateLeagueHandler implements ICommandHandler<CreateLeague, { position: number; league_id: string }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: CreateLeague) {
    const leagueId = randomUUID();
    const inactive: string[] = [];
    for (const v of cmd.venueIds) if (!(await isActiveMember(this.repo, cmd.chainId, v))) inactive.push(v);
    const r = await this.repo.execute<LeagueState, LeagueEvent>(leagueStream(leagueId), leagueEvolver, (s) =>
      decideCreateLeague(s, {
        league_id: leagueId,
        chain_id: cmd.chainId,
        name: cmd.name,
        venue_ids: cmd.venueIds,
        season_start: cmd.seasonStart,
        season_end: cmd.seasonEnd,
        inactive_venue_ids: inactive,
        by: cmd.by,
        now: this.clock.now(),
      }),
    );
    return { position: r.position, league_id: leagueId };
  }
}

@CommandHandler(RecordLeagueResult)
export class RecordLeagueResultHandler implements ICommandHandler<
  RecordLeagueResult,
  { position: number; result: LeagueResultEvent['data'] }
> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: RecordLeagueResult) {
    const league = await loadLeague(this.repo, cmd.chainId, cmd.leagueId);
    const player = await this.reads.collection<UserView>('users').get(cmd.result.player_user_id);
    if (!player) throw notFound('player_not_found', 'player_user_id names no user.');
    const venueActive = await isActiveMember(this.repo, cmd.chainId, cmd.result.venue_id);
    const resultId = randomUUID();
    const r = await this.repo.execute<{ exists: boolean }, LeagueResultEvent>(leagueResultStream(resultId), resultEvolver, () =>
      decideRecordResult(league, {
        result_id: resultId,
        league_id: cmd.leagueId,
        chain_id: cmd.chainId,
        ...cmd.result,
        venue_active: venueActive,
        by: cmd.by,
        now: this.clock.now(),
      }),
    );
    return { position: r.position, result: r.events[0]!.data as unknown as LeagueResultEvent['data'] };
  }
}
