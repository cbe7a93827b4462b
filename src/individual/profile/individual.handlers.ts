import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { decideCreateTenant, tenantEvolver, tenantStream } from '../../identity/tenants/tenant.decider.js';
import { userEvolver, userStream } from '../../identity/users/user.decider.js';
import { AddMember } from '../../identity/users/user.handlers.js';
import { notFound } from '../../shared/errors.js';
import {
  decideCreateContext,
  decideUpdateProfile,
  individualEvolver,
  individualStream,
  type EditableProfile,
  type IndividualEvent,
  type IndividualState,
} from './individual.decider.js';

/** A user who already has an account (a club member, say) becomes an individual player too. */
export class CreateIndividualContext {
  constructor(
    readonly userId: string,
    readonly profile: { display_name?: string; country: string; language?: 'sv' | 'en' },
  ) {}
}
export class UpdateIndividualProfile {
  constructor(
    readonly userId: string,
    readonly changes: Partial<EditableProfile>,
  ) {}
}

/**
 * The context's stream is claimed first (one per user, 409 individual_context_exists), then the
 * personal INDIVIDUAL tenant and the membership are made; the caller logs in to that tenant.
 */
@CommandHandler(CreateIndividualContext)
export class CreateIndividualContextHandler implements ICommandHandler<CreateIndividualContext, { position: number; tenant_id: string }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: CreateIndividualContext) {
    const { state: user } = await this.repo.load(userStream(cmd.userId), userEvolver);
    if (!user.exists) throw notFound('user_not_found', 'No such user.');
    const tenantId = randomUUID();
    const profile = {
      display_name: (cmd.profile.display_name ?? user.display_name).trim(),
      country: cmd.profile.country,
      language: cmd.profile.language ?? user.language,
    };
    const ctx = await this.repo.execute<IndividualState, IndividualEvent>(
      individualStream(cmd.userId),
      individualEvolver,
      (s) => decideCreateContext(s, { user_id: cmd.userId, tenant_id: tenantId, ...profile, via: 'existing_user', now: this.clock.now() }),
      { retryOnConflict: false },
    );
    const t = await this.repo.execute(tenantStream(tenantId), tenantEvolver, (s) =>
      decideCreateTenant(s, {
        tenant_id: tenantId,
        name: profile.display_name,
        tenant_type: 'INDIVIDUAL',
        by: cmd.userId,
        country: profile.country,
      }),
    );
    const m = await this.commands.execute(
      new AddMember(tenantId, user.email, profile.display_name, ['tenant_admin'], null, profile.language),
    );
    return { position: Math.max(ctx.position, t.position, m.position), tenant_id: tenantId };
  }
}

@CommandHandler(UpdateIndividualProfile)
export class UpdateIndividualProfileHandler implements ICommandHandler<UpdateIndividualProfile, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: UpdateIndividualProfile) {
    const r = await this.repo.execute<IndividualState, IndividualEvent>(individualStream(cmd.userId), individualEvolver, (s) =>
      decideUpdateProfile(s, cmd.changes, this.clock.now()),
    );
    return { position: r.position };
  }
}
