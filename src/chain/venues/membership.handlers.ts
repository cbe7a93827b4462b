import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { notFound } from '../../shared/errors.js';
import type { TierSnapshotDoc } from '../../../projections/tenant-tiers.js';
import {
  decideAccept,
  decideInvite,
  decideLeave,
  venueMembershipEvolver,
  venueMembershipStream,
  type ChainMembershipEvent,
  type Membership,
  type VenueMembershipsState,
} from './chain-membership.decider.js';

export class InviteVenue {
  constructor(
    readonly chainId: string,
    readonly venueId: string,
    readonly by: string,
  ) {}
}
export class AcceptChain {
  constructor(
    readonly venueId: string,
    readonly chainId: string,
    readonly by: string,
  ) {}
}
export class RemoveVenue {
  constructor(
    readonly chainId: string,
    readonly venueId: string,
    readonly by: string,
  ) {}
}

type MembershipResult = { position: number; membership: Membership };

/** Runs one decision on the venue's membership stream (re-deciding after a conflict is safe: the rules are re-checked). */
async function onVenue(repo: AggregateRepository, venueId: string, decide: (s: VenueMembershipsState) => ChainMembershipEvent[]) {
  const r = await repo.execute<VenueMembershipsState, ChainMembershipEvent>(
    venueMembershipStream(venueId),
    venueMembershipEvolver(venueId),
    decide,
  );
  const id = r.events.length ? (r.events[0]!.data as { membership_id: string }).membership_id : null;
  return { position: r.position, membership: id ? r.state.memberships[id]! : null };
}

@CommandHandler(InviteVenue)
export class InviteVenueHandler implements ICommandHandler<InviteVenue, MembershipResult> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: InviteVenue) {
    // the tenant's current type (a type change is on the tier stream, which this read model follows)
    const venue = await this.reads.collection<TierSnapshotDoc>('tenant_tiers').get(cmd.venueId);
    if (!venue || venue.tenant_type !== 'VENUE') throw notFound('venue_not_found', 'venue_tenant_id is not a VENUE tenant.');
    const membershipId = randomUUID();
    const r = await onVenue(this.repo, cmd.venueId, (s) =>
      decideInvite(s, { membership_id: membershipId, chain_id: cmd.chainId, by: cmd.by, now: this.clock.now() }),
    );
    return r as MembershipResult;
  }
}

@CommandHandler(AcceptChain)
export class AcceptChainHandler implements ICommandHandler<AcceptChain, MembershipResult> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: AcceptChain) {
    return (await onVenue(this.repo, cmd.venueId, (s) =>
      decideAccept(s, { chain_id: cmd.chainId, by: cmd.by, now: this.clock.now() }),
    )) as MembershipResult;
  }
}

@CommandHandler(RemoveVenue)
export class RemoveVenueHandler implements ICommandHandler<RemoveVenue, MembershipResult> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: RemoveVenue) {
    return (await onVenue(this.repo, cmd.venueId, (s) =>
      decideLeave(s, { chain_id: cmd.chainId, by: cmd.by, now: this.clock.now() }),
    )) as MembershipResult;
  }
}
