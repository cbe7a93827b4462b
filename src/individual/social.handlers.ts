import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { DomainError, notFound } from '../shared/errors.js';
import type { CasualMatchView } from '../../projections/casual-matches.js';
import {
  decideAccept,
  decideBlock,
  decideEnd,
  decideRequest,
  effective,
  friendshipEvolver,
  friendshipStream,
  type FriendshipEvent,
  type FriendshipState,
} from './friends/friendship.decider.js';
import {
  casualMatchEvolver,
  casualMatchStream,
  checkMatchInput,
  decideCancelForBlock,
  decideExpire,
  decideQuota,
  decideVerify,
  monthOf,
  quotaEvolver,
  quotaStream,
  VERIFY_WITHIN_MS,
  type CasualMatchEvent,
  type CasualMatchState,
  type QuotaEvent,
} from './matches/casual-match.decider.js';
import {
  individualEvolver,
  individualStream,
  isPremiumActive,
  type IndividualEvent,
  type IndividualState,
} from './profile/individual.decider.js';
import { scanAll } from '../readstore/scan.js';

export const FRIEND_REQUESTS_PER_DAY = 20;

export class FriendAction {
  constructor(
    readonly action: 'request' | 'accept' | 'block' | 'end',
    readonly me: string,
    readonly other: string,
  ) {}
}
export class RecordCasualMatch {
  constructor(
    readonly me: string,
    readonly opponent: string,
    readonly playedAt: string,
    readonly score: { me: number; opponent: number },
  ) {}
}
export class VerifyCasualMatch {
  constructor(
    readonly me: string,
    readonly matchId: string,
    readonly decision: 'confirm' | 'dispute',
  ) {}
}
export class ExpireCasualMatches {}

const noPlayer = () => notFound('player_not_found', 'No such player.');

async function player(repo: AggregateRepository, userId: string): Promise<IndividualState> {
  const { state } = await repo.load<IndividualState, IndividualEvent>(individualStream(userId), individualEvolver);
  return state;
}

type RequestCount = { type: 'FriendRequestCounted'; data: { user_id: string; day: string } };

@CommandHandler(FriendAction)
export class FriendActionHandler implements ICommandHandler<FriendAction, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: FriendAction) {
    const now = this.clock.now();
    if (cmd.me !== cmd.other && !(await player(this.repo, cmd.other)).exists) throw noPlayer();
    const stream = friendshipStream(cmd.me, cmd.other);
    const decide = { request: decideRequest, accept: decideAccept, block: decideBlock, end: decideEnd }[cmd.action];
    if (cmd.action === 'request') {
      // checked first, so a refused request is not counted; then the daily limit, then the real decision
      decide((await this.repo.load<FriendshipState, FriendshipEvent>(stream, friendshipEvolver)).state, cmd.me, cmd.other, now);
      const day = now.toISOString().slice(0, 10);
      await this.repo.execute<{ n: number }, RequestCount>(
        `friend-requests-${cmd.me}-${day}`,
        { initialState: () => ({ n: 0 }), evolve: (s) => ({ n: s.n + 1 }) },
        (s) => {
          if (s.n >= FRIEND_REQUESTS_PER_DAY) {
            const secs = Math.max(1, Math.ceil((Date.parse(`${day}T00:00:00.000Z`) + 86_400_000 - now.getTime()) / 1000));
            throw new DomainError(
              'rate_limited',
              429,
              `At most ${FRIEND_REQUESTS_PER_DAY} friend requests a day.`,
              { retry_after: secs },
              { 'Retry-After': String(secs) },
            );
          }
          return [{ type: 'FriendRequestCounted', data: { user_id: cmd.me, day } }];
        },
        { maxAttempts: 60 },
      );
    }
    const r = await this.repo.execute<FriendshipState, FriendshipEvent>(stream, friendshipEvolver, (s) =>
      decide(s, cmd.me, cmd.other, now),
    );
    let position = r.position;
    if (cmd.action === 'block' && r.appended) position = Math.max(position, await this.cancelPendingMatches(cmd.me, cmd.other, now));
    return { position };
  }

  /** A block cancels the pending matches between the two, whoever recorded them. */
  private async cancelPendingMatches(a: string, b: string, now: Date): Promise<number> {
    const page = await this.reads
      .collection<CasualMatchView>('casual_matches')
      .find({ where: { user_id: a, opponent_user_id: b, status: 'PENDING' }, limit: 500 });
    let position = 0;
    for (const m of page.items) {
      const r = await this.repo.execute<CasualMatchState, CasualMatchEvent>(casualMatchStream(m.match_id), casualMatchEvolver, (s) =>
        decideCancelForBlock(s, now),
      );
      position = Math.max(position, r.position);
    }
    return position;
  }
}

/**
 * A FREE player's match first claims one of the month's 50 slots on a per-month quota stream
 * (re-decided on every conflict, so 50 parallel requests at 49 used give exactly one success
 * and 402 for the rest); a premium player (or one within the grace) skips the quota.
 */
@CommandHandler(RecordCasualMatch)
export class RecordCasualMatchHandler implements ICommandHandler<RecordCasualMatch, { position: number; match_id: string }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: RecordCasualMatch) {
    const now = this.clock.now();
    checkMatchInput({ played_at: cmd.playedAt, score: cmd.score }, now);
    if (cmd.me === cmd.opponent)
      throw new DomainError('validation_failed', 400, 'opponent_user_id must be another player', {
        errors: ['opponent_user_id must be another player'],
      });
    const [me, opponent] = await Promise.all([player(this.repo, cmd.me), player(this.repo, cmd.opponent)]);
    if (!me.exists)
      throw notFound('individual_context_not_found', 'You have no individual player profile yet (POST /me/individual-context).');
    if (!opponent.exists) throw noPlayer();
    const rel = (await this.repo.load<FriendshipState, FriendshipEvent>(friendshipStream(cmd.me, cmd.opponent), friendshipEvolver)).state;
    if (effective(rel, now.getTime()) === 'BLOCKED')
      throw rel.blocked_by === cmd.me ? new DomainError('player_blocked', 409, 'You blocked this player; unblock first.') : noPlayer();
    const matchId = randomUUID();
    if (!isPremiumActive(me, now).active)
      await this.repo.execute<{ used: number }, QuotaEvent>(
        quotaStream(cmd.me, monthOf(now)),
        quotaEvolver,
        (s) => decideQuota(s, cmd.me, matchId, now),
        {
          maxAttempts: 200,
        },
      );
    const r = await this.repo.execute<CasualMatchState, CasualMatchEvent>(casualMatchStream(matchId), casualMatchEvolver, () => [
      {
        type: 'CasualMatchRecorded',
        data: {
          match_id: matchId,
          creator: cmd.me,
          opponent: cmd.opponent,
          played_at: new Date(cmd.playedAt).toISOString(),
          score: { creator: cmd.score.me, opponent: cmd.score.opponent },
          at: now.toISOString(),
          expires_at: new Date(now.getTime() + VERIFY_WITHIN_MS).toISOString(),
        },
      },
    ]);
    return { position: r.position, match_id: matchId };
  }
}

@CommandHandler(VerifyCasualMatch)
export class VerifyCasualMatchHandler implements ICommandHandler<VerifyCasualMatch, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: VerifyCasualMatch) {
    // no retry: of two concurrent answers exactly one is recorded
    const r = await this.repo.execute<CasualMatchState, CasualMatchEvent>(
      casualMatchStream(cmd.matchId),
      casualMatchEvolver,
      (s) => decideVerify(s, cmd.me, cmd.decision, this.clock.now()),
      { retryOnConflict: false },
    );
    return { position: r.position };
  }
}

/** The hourly job: pending matches nobody answered within 7 days become EXPIRED. */
@CommandHandler(ExpireCasualMatches)
export class ExpireCasualMatchesHandler implements ICommandHandler<ExpireCasualMatches, { position: number; expired: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute() {
    const now = this.clock.now();
    let position = 0;
    let expired = 0;
    const due = scanAll(this.reads.collection<CasualMatchView>('casual_matches'), {
      where: { role: 'creator', status: 'PENDING', expires_at: { lte: now.toISOString() } },
      sort: [['expires_at', 'asc']],
    });
    for await (const m of due) {
      const r = await this.repo.execute<CasualMatchState, CasualMatchEvent>(casualMatchStream(m.match_id), casualMatchEvolver, (s) =>
        decideExpire(s, now),
      );
      if (r.appended) expired++;
      position = Math.max(position, r.position);
    }
    return { position, expired };
  }
}
