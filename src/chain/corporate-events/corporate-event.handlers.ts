import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import type { CorporateEventView } from '../../../projections/chain-corporate-events.js';
import { activeOn, venueMembershipEvolver, venueMembershipStream } from '../venues/chain-membership.decider.js';
import {
  corporateEventEvolver,
  corporateEventStream,
  decideExpire,
  decideRequest,
  decideTransition,
  type CorporateEventEvent,
  type CorporateEventRequest,
  type CorporateEventState,
  type CorporateEventStatus,
  type Quote,
} from './corporate-event.decider.js';
import { scanAll } from '../../readstore/scan.js';

export class RequestCorporateEvent {
  constructor(
    readonly chainId: string,
    readonly request: CorporateEventRequest,
    readonly by: string,
  ) {}
}
export class TransitionCorporateEvent {
  constructor(
    readonly chainId: string,
    readonly corporateEventId: string,
    readonly to: CorporateEventStatus,
    readonly quote: Quote | null,
    readonly by: string,
  ) {}
}
/** The expiry job's command: every QUOTED event whose quote_valid_until has passed becomes EXPIRED. */
export class ExpireCorporateEventQuotes {}

type Result = { position: number; corporate_event_id: string };

/** The host venue's membership on the event date, from the venue's own membership stream (not a read model). */
async function hostActiveOn(repo: AggregateRepository, chainId: string, venueId: string, day: string): Promise<boolean> {
  const { state } = await repo.load(venueMembershipStream(venueId), venueMembershipEvolver(venueId));
  return activeOn(state, chainId, day);
}

@CommandHandler(RequestCorporateEvent)
export class RequestCorporateEventHandler implements ICommandHandler<RequestCorporateEvent, Result> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: RequestCorporateEvent): Promise<Result> {
    const id = randomUUID();
    const active = await hostActiveOn(this.repo, cmd.chainId, cmd.request.host_venue_tenant_id, cmd.request.event_date);
    const r = await this.repo.execute<CorporateEventState, CorporateEventEvent>(corporateEventStream(id), corporateEventEvolver, (s) =>
      decideRequest(s, {
        corporate_event_id: id,
        chain_id: cmd.chainId,
        ...cmd.request,
        host_active_on_date: active,
        by: cmd.by,
        now: this.clock.now(),
      }),
    );
    return { position: r.position, corporate_event_id: id };
  }
}

@CommandHandler(TransitionCorporateEvent)
export class TransitionCorporateEventHandler implements ICommandHandler<TransitionCorporateEvent, Result> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: TransitionCorporateEvent): Promise<Result> {
    const stream = corporateEventStream(cmd.corporateEventId);
    const { state } = await this.repo.load(stream, corporateEventEvolver);
    // another chain's event is not found from this chain
    if (!state.exists || state.chain_id !== cmd.chainId)
      throw notFound('corporate_event_not_found', 'No such corporate event in this chain.');
    const active = await hostActiveOn(this.repo, cmd.chainId, state.host_venue_tenant_id, state.event_date);
    // safe to re-decide on a conflict: a concurrent move makes this one an invalid_transition
    const r = await this.repo.execute<CorporateEventState, CorporateEventEvent>(stream, corporateEventEvolver, (s) =>
      decideTransition(s, { to: cmd.to, quote: cmd.quote, host_active_on_date: active, by: cmd.by, now: this.clock.now() }),
    );
    return { position: r.position, corporate_event_id: cmd.corporateEventId };
  }
}

@CommandHandler(ExpireCorporateEventQuotes)
export class ExpireCorporateEventQuotesHandler implements ICommandHandler<
  ExpireCorporateEventQuotes,
  { position: number; expired: number }
> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute() {
    const now = this.clock.now();
    let position = 0;
    let expired = 0;
    // the read model finds the candidates; each stream decides for itself (a booking that won the race stays BOOKED)
    const due = scanAll(this.reads.collection<CorporateEventView>('chain_corporate_events'), {
      where: { status: 'QUOTED', quote_valid_until: { lte: now.toISOString() } },
      sort: [['quote_valid_until', 'asc']],
    });
    for await (const e of due) {
      const r = await this.repo.execute<CorporateEventState, CorporateEventEvent>(
        corporateEventStream(e.corporate_event_id),
        corporateEventEvolver,
        (s) => decideExpire(s, now),
      );
      if (r.appended) expired++;
      position = Math.max(position, r.position);
    }
    return { position, expired };
  }
}
