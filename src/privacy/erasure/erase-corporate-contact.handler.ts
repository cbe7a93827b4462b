import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { corporateEventEvolver, corporateEventStream } from '../../chain/corporate-events/corporate-event.decider.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository, type DomainEvent } from '../../eventstore/aggregate-repository.js';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { notFound } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { Secrets } from '../../shared/secrets.js';
import { SUBJECT_ERASED, SealingEventStore } from '../sealing-event-store.js';
import { scrubCopies, type ErasureResult } from './erase-personal-data.handler.js';
import { collectPersonalValues } from './personal-values.js';

export class EraseCorporateContact {
  constructor(
    readonly corporateEventId: string,
    readonly by: string,
    readonly reason: string,
  ) {}
}

type SubjectErased = DomainEvent<
  typeof SUBJECT_ERASED,
  { subject: string; kind: 'corporate_event_contact'; chain_id: string | null; by: string; reason: string }
>;
const erasureEvolver = { initialState: () => ({ erased: false }), evolve: () => ({ erased: true }) };
/** One stream per erased subject that is not an account (an account's erasure is on its user stream). */
export const subjectErasureStream = (subject: string) => `personal-data-erasure-${subject}`;

/**
 * POST /sys/corporate-events/{id}/erase-contact (GDPR art. 17 for a corporate event's outside
 * contact, who has no account): the same order as a person's erasure. The contact's values are
 * collected while the corporate event's data key still opens them, the key is destroyed (the
 * event's company name, contact e-mail and notes read "[erased]" from then on, rebuilds
 * included), PersonalDataSubjectErased is appended, and the copies are scrubbed. The corporate
 * event itself (status, dates, quote) stays. Repeating it appends nothing.
 */
@CommandHandler(EraseCorporateContact)
export class EraseCorporateContactHandler implements ICommandHandler<EraseCorporateContact, Omit<ErasureResult, 'revoked_sessions'>> {
  constructor(
    readonly repo: AggregateRepository,
    readonly projections: ProjectionEngine,
    private readonly secrets: Secrets,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) readonly reads: ReadStore,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {}

  async execute(cmd: EraseCorporateContact): Promise<Omit<ErasureResult, 'revoked_sessions'>> {
    if (!(this.events instanceof SealingEventStore)) throw new Error('erasure needs the sealing event store');
    const store = this.events;
    const id = cmd.corporateEventId;
    const { state } = await this.repo.load(corporateEventStream(id), corporateEventEvolver);
    if (!state.exists) throw notFound('corporate_event_not_found', 'No such corporate event.');
    const values = await collectPersonalValues(store.raw, store.vault, this.secrets, id);

    await store.vault.erase(id);
    const r = await this.repo.execute<{ erased: boolean }, SubjectErased>(subjectErasureStream(id), erasureEvolver, (s) =>
      s.erased
        ? []
        : [
            {
              type: SUBJECT_ERASED,
              data: { subject: id, kind: 'corporate_event_contact', chain_id: state.chain_id, by: cmd.by, reason: cmd.reason },
            },
          ],
    );
    const position = Math.max(r.position, await store.headPosition());
    const scrubbed = await scrubCopies(this, position, id, values);
    logger.info({ corporate_event_id: id, ...scrubbed }, 'corporate event contact erased');
    return { position, ...scrubbed };
  }
}
