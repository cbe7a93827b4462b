import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { RevokeOtherSessions } from '../../identity/sessions/session.handlers.js';
import { userEvolver, userStream, type UserEvent, type UserState } from '../../identity/users/user.decider.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { SNAPSHOT_COLLECTION } from '../../eventstore/snapshots.js';
import { logger } from '../../shared/logger.js';
import { Secrets } from '../../shared/secrets.js';
import { SealingEventStore } from '../sealing-event-store.js';
import { decideErase } from './erasure.decider.js';
import { scrubOutbox } from './outbox-scrub.js';
import { collectPersonalValues, type PersonalValues } from './personal-values.js';
import { scrubReadModels, type ScrubResult } from './read-model-scrub.js';

export class ErasePersonalData {
  constructor(
    readonly userId: string,
    readonly by: string,
    readonly reason: string,
  ) {}
}

export type ErasureResult = ScrubResult & { position: number; revoked_sessions: number; outbox_messages_deleted: number };

/**
 * POST /sys/users/{id}/erase (GDPR art. 17). Order matters: the person's values are collected
 * while the key still opens them; the key is destroyed (from then on every read of the log,
 * rebuilds included, shows "[erased]"); PersonalDataErased is appended and the sessions revoked;
 * once the projections have seen that, the remaining plaintext copies (read models, aggregate
 * snapshots, the embedded outbox) are scrubbed and the SQLite files compacted. A failure after
 * the key is gone is repaired by erasing again (every step is idempotent).
 */
@CommandHandler(ErasePersonalData)
export class ErasePersonalDataHandler implements ICommandHandler<ErasePersonalData, ErasureResult> {
  constructor(
    readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
    readonly projections: ProjectionEngine,
    private readonly secrets: Secrets,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) readonly reads: ReadStore,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {}

  async execute(cmd: ErasePersonalData): Promise<ErasureResult> {
    if (!(this.events instanceof SealingEventStore)) throw new Error('erasure needs the sealing event store');
    const store = this.events;
    const { state } = await this.repo.load<UserState, UserEvent>(userStream(cmd.userId), userEvolver);
    decideErase(state, cmd.by, cmd.reason); // refuses before anything is destroyed
    const values = await collectPersonalValues(store.raw, store.vault, this.secrets, cmd.userId);

    await store.vault.erase(cmd.userId);
    const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) => decideErase(s, cmd.by, cmd.reason));
    const revoked = await this.commands.execute<RevokeOtherSessions, { position: number; count: number }>(
      new RevokeOtherSessions(cmd.userId, null, 'deactivated'),
    );
    const position = Math.max(r.position, revoked.position, await store.headPosition());
    const scrubbed = await scrubCopies(this, position, cmd.userId, values);
    logger.info({ user_id: cmd.userId, ...scrubbed }, 'personal data erased');
    return { position, revoked_sessions: revoked.count, ...scrubbed };
  }
}

export interface CopyStores {
  repo: AggregateRepository;
  projections: ProjectionEngine;
  reads: ReadStore;
  config: AppConfig;
}

/**
 * Once the projections have seen `position` (the erasure), removes the subject's remaining
 * plaintext copies: read models, aggregate snapshots, the embedded outbox; compacts SQLite.
 */
export async function scrubCopies(
  deps: CopyStores,
  position: number,
  subject: string,
  values: PersonalValues,
): Promise<ScrubResult & { outbox_messages_deleted: number }> {
  await deps.projections.waitFor(position, 10_000);
  deps.repo.forgetSnapshots();
  const names = new Set([
    ...((await deps.reads.listCollections?.()) ?? []),
    ...deps.projections.definitions.flatMap((d) => d.collections.map((c) => c.name)),
    SNAPSHOT_COLLECTION,
  ]);
  const scrubbed = await scrubReadModels(deps.reads, [...names], subject, values);
  await deps.reads.compact?.();
  return { ...scrubbed, outbox_messages_deleted: scrubOutbox(deps.config.dataDir, values) };
}
