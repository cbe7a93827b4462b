import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { safeEqual, sha256Hex } from '../../shared/crypto.js';
import { unauthorized } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';
import { currentContext } from '../../shared/request-context.js';
import type { SessionView } from '../../../projections/sessions.js';
import { userEvolver, userStream, type UserEvent, type UserState } from '../users/user.decider.js';
import { SessionTokens, type TokenPair } from './session-tokens.service.js';
import {
  decideRefresh,
  decideRevoke,
  sessionEvolver,
  sessionStream,
  type RevokeReason,
  type SessionEvent,
  type SessionState,
} from './session.decider.js';

export class RefreshSession {
  constructor(readonly refreshToken: string) {}
}
export class RevokeSession {
  constructor(
    readonly userId: string,
    readonly sessionId: string,
    readonly reason: RevokeReason,
    readonly by: string | null,
  ) {}
}
export class RevokeOtherSessions {
  constructor(
    readonly userId: string,
    /** The session to keep (the caller's), or null to revoke every session. */
    readonly keepSessionId: string | null,
    readonly reason: 'revoke_all' | 'password_change' | 'password_reset' | 'membership_ended' | 'deactivated',
    /** Only the sessions in this tenant (a membership ended); every tenant when absent. */
    readonly tenantId?: string,
  ) {}
}

const TOKEN = /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{40,}$/;

@CommandHandler(RefreshSession)
export class RefreshSessionHandler implements ICommandHandler<RefreshSession, TokenPair & { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly tokens: SessionTokens,
    private readonly projections: ProjectionEngine,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ refreshToken }: RefreshSession) {
    if (!TOKEN.test(refreshToken)) throw unauthorized('invalid_refresh_token', 'The refresh token is not valid.');
    const sid = refreshToken.split('.')[0]!;
    const presented = sha256Hex(refreshToken);
    const tagged = this.tokens.generationOf(refreshToken) ?? undefined;
    const ctx = currentContext();
    const client = {
      hash: sha256Hex(`${ctx?.ip ?? ''}|${ctx?.user_agent ?? ''}`),
      ip: ctx?.ip ?? null,
      graceMs: this.config.refreshReuseGraceSeconds * 1000,
    };
    let next = '';
    let decision: ReturnType<typeof decideRefresh> = { kind: 'unknown' };
    const result = await this.repo.execute<SessionState, SessionEvent>(sessionStream(sid), sessionEvolver, (s) => {
      const generation = tagged ?? (safeEqual(presented, s.current_hash) ? s.generation : (own(s.previous, presented) ?? s.generation));
      next = this.tokens.successor(refreshToken, generation + 1);
      decision = decideRefresh(
        s,
        presented,
        sha256Hex(next),
        this.clock.now().getTime(),
        this.config.refreshIdleSeconds * 1000,
        client,
        tagged,
      );
      return 'events' in decision ? decision.events : [];
    });
    const d = decision as ReturnType<typeof decideRefresh>;
    // A refusal that revoked the family (reuse) answers only once the sessions read model says so:
    // the gateway waits after a success only, and the very next request with the family's newest
    // access token, to this process or another one, must be refused.
    if (d.kind !== 'rotate' && d.kind !== 'grace' && result.appended) await this.projections.waitFor(result.position, 5000);
    switch (d.kind) {
      case 'rotate':
      case 'grace': {
        const access = await this.tokens.accessToken(result.state);
        return {
          access_token: access.token,
          refresh_token: next,
          token_type: 'Bearer' as const,
          expires_in: access.expiresIn,
          session_id: sid,
          position: result.position,
        };
      }
      case 'reuse':
        throw unauthorized('refresh_token_reused', 'This refresh token was already used; the whole session has been revoked.');
      case 'expired':
        throw unauthorized('refresh_token_expired', 'The session has expired; log in again.');
      case 'revoked':
        throw unauthorized('session_revoked', 'This session has been revoked or has ended; log in again.');
      default:
        throw unauthorized('invalid_refresh_token', 'The refresh token is not valid.');
    }
  }
}

@CommandHandler(RevokeSession)
export class RevokeSessionHandler implements ICommandHandler<RevokeSession, { position: number }> {
  constructor(private readonly repo: AggregateRepository) {}
  async execute(cmd: RevokeSession) {
    const r = await this.repo.execute<SessionState, SessionEvent>(sessionStream(cmd.sessionId), sessionEvolver, (s) =>
      decideRevoke(s, cmd.userId, cmd.reason, cmd.by),
    );
    return { position: r.position };
  }
}

@CommandHandler(RevokeOtherSessions)
export class RevokeOtherSessionsHandler implements ICommandHandler<RevokeOtherSessions, { position: number; count: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}
  async execute(cmd: RevokeOtherSessions) {
    const active = await this.reads
      .collection<SessionView>('sessions')
      .find({ where: { user_id: cmd.userId, status: 'active', ...(cmd.tenantId ? { tenant_id: cmd.tenantId } : {}) }, limit: 10_000 });
    let count = 0;
    let position = 0;
    for (const s of active.items) {
      if (s.id === cmd.keepSessionId) continue;
      const r = await this.repo.execute<SessionState, SessionEvent>(sessionStream(s.id), sessionEvolver, (st) =>
        decideRevoke(st, cmd.userId, cmd.reason, cmd.userId),
      );
      if (r.appended) count++;
      position = Math.max(position, r.position);
    }
    const summary = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, () => [
      { type: 'OtherSessionsRevoked', data: { user_id: cmd.userId, kept_session_id: cmd.keepSessionId, count, reason: cmd.reason } },
    ]);
    return { position: Math.max(position, summary.position), count };
  }
}
