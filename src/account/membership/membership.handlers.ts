import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { RevokeOtherSessions } from '../../identity/sessions/session.handlers.js';
import { userEvolver, userStream, type UserEvent, type UserState } from '../../identity/users/user.decider.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { KeyedMutex } from '../../shared/async-mutex.js';
import { otherTenantAdmins } from '../../identity/members/tenant-admins.js';
import { decideDeactivate, decideEndMembership, decideReactivate } from './membership.decider.js';

export class EndMembership {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly by: string,
  ) {}
}
export class DeactivateUser {
  constructor(
    readonly userId: string,
    readonly by: string,
    readonly reason: string,
  ) {}
}
export class ReactivateUser {
  constructor(
    readonly userId: string,
    readonly by: string,
  ) {}
}

type Result = { position: number; revoked_sessions: number };

/**
 * DELETE /tenants/{t}/members/{u}: MembershipEnded, then every session of the person in that
 * tenant revoked (the guard refuses them on the very next request). Removals in one tenant are
 * serialised in this process and wait for the read model, so two admins removing each other at
 * once cannot both pass the last-admin check here.
 */
@CommandHandler(EndMembership)
export class EndMembershipHandler implements ICommandHandler<EndMembership, Result> {
  private readonly perTenant = new KeyedMutex();

  constructor(
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
    private readonly projections: ProjectionEngine,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  execute(cmd: EndMembership): Promise<Result> {
    return this.perTenant.run(cmd.tenantId, async () => {
      const otherAdmins = await otherTenantAdmins(this.reads, cmd.tenantId, cmd.userId);
      const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) =>
        decideEndMembership(s, cmd.tenantId, cmd.by, otherAdmins),
      );
      const revoked = await this.commands.execute<RevokeOtherSessions, { position: number; count: number }>(
        new RevokeOtherSessions(cmd.userId, null, 'membership_ended', cmd.tenantId),
      );
      const position = Math.max(r.position, revoked.position);
      await this.projections.waitFor(position, 5000);
      return { position, revoked_sessions: revoked.count };
    });
  }
}

/** POST /sys/users/{id}/deactivate: no login anywhere, every session and trusted device revoked. */
@CommandHandler(DeactivateUser)
export class DeactivateUserHandler implements ICommandHandler<DeactivateUser, Result> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
  ) {}

  async execute(cmd: DeactivateUser): Promise<Result> {
    const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) =>
      decideDeactivate(s, cmd.by, cmd.reason),
    );
    // also when already deactivated: a session that raced the first call ends now
    const revoked = await this.commands.execute<RevokeOtherSessions, { position: number; count: number }>(
      new RevokeOtherSessions(cmd.userId, null, 'deactivated'),
    );
    return { position: Math.max(r.position, revoked.position), revoked_sessions: revoked.count };
  }
}

@CommandHandler(ReactivateUser)
export class ReactivateUserHandler implements ICommandHandler<ReactivateUser, { position: number }> {
  constructor(private readonly repo: AggregateRepository) {}

  async execute(cmd: ReactivateUser) {
    const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) => decideReactivate(s, cmd.by));
    return { position: r.position };
  }
}
