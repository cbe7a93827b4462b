import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { conflict, notFound } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';

/**
 * A venue's chain memberships (F02.09.01) live on the venue's own stream, `chain-venue-{venue_id}`:
 * "a venue is in at most one active chain" is then one aggregate's rule, decided against one
 * expected version, so two chains accepted at the same moment cannot both win. Every invitation
 * is a new membership (a new period); leaving keeps it, INACTIVE, with its dates.
 */
export type MembershipStatus = 'PENDING' | 'ACTIVE' | 'INACTIVE';

export type ChainMembershipEvent =
  | DomainEvent<'VenueInvited', { membership_id: string; chain_id: string; venue_id: string; invited_at: string; invited_by: string }>
  | DomainEvent<'VenueJoinedChain', { membership_id: string; chain_id: string; venue_id: string; joined_at: string; accepted_by: string }>
  | DomainEvent<
      'VenueLeftChain',
      { membership_id: string; chain_id: string; venue_id: string; left_at: string; by: string; previous_status: 'PENDING' | 'ACTIVE' }
    >;

export interface Membership {
  membership_id: string;
  chain_id: string;
  status: MembershipStatus;
  invited_at: string;
  joined_at: string | null;
  left_at: string | null;
}

export interface VenueMembershipsState {
  venue_id: string;
  memberships: Record<string, Membership>;
}

export const venueMembershipStream = (venueId: string) => `chain-venue-${venueId}`;

export const venueMembershipEvolver = (venueId: string) => ({
  initialState: (): VenueMembershipsState => ({ venue_id: venueId, memberships: {} }),
  evolve: (s: VenueMembershipsState, e: ChainMembershipEvent): VenueMembershipsState => {
    const m = own(s.memberships, e.data.membership_id);
    switch (e.type) {
      case 'VenueInvited':
        return {
          ...s,
          memberships: {
            ...s.memberships,
            [e.data.membership_id]: {
              membership_id: e.data.membership_id,
              chain_id: e.data.chain_id,
              status: 'PENDING',
              invited_at: e.data.invited_at,
              joined_at: null,
              left_at: null,
            },
          },
        };
      case 'VenueJoinedChain':
        return m
          ? { ...s, memberships: { ...s.memberships, [m.membership_id]: { ...m, status: 'ACTIVE', joined_at: e.data.joined_at } } }
          : s;
      case 'VenueLeftChain':
        return m
          ? { ...s, memberships: { ...s.memberships, [m.membership_id]: { ...m, status: 'INACTIVE', left_at: e.data.left_at } } }
          : s;
      default: {
        const never: never = e;
        return never;
      }
    }
  },
});

/** The open (PENDING or ACTIVE) membership of this venue with this chain, if any. */
export const openMembership = (s: VenueMembershipsState, chainId: string): Membership | undefined =>
  Object.values(s.memberships).find((m) => m.chain_id === chainId && m.status !== 'INACTIVE');
export const activeMembership = (s: VenueMembershipsState): Membership | undefined =>
  Object.values(s.memberships).find((m) => m.status === 'ACTIVE');

/**
 * Whether the venue holds an ACTIVE membership of this chain on `day` (YYYY-MM-DD, UTC): joined on
 * or before that day and not left by then (the leaving day is the first day out, as for invoices).
 * For a day ahead, an ACTIVE membership that has not ended counts.
 */
export const activeOn = (s: VenueMembershipsState, chainId: string, day: string): boolean =>
  Object.values(s.memberships).some(
    (m) =>
      m.chain_id === chainId &&
      m.joined_at !== null &&
      m.joined_at.slice(0, 10) <= day &&
      (m.left_at === null || m.left_at.slice(0, 10) > day),
  );

export function decideInvite(
  s: VenueMembershipsState,
  cmd: { membership_id: string; chain_id: string; by: string; now: Date },
): ChainMembershipEvent[] {
  const open = openMembership(s, cmd.chain_id);
  if (open?.status === 'ACTIVE') throw conflict('venue_already_in_chain', 'This venue is already an active member of this chain.');
  if (open) throw conflict('invitation_pending', 'This venue already has a pending invitation from this chain.');
  return [
    {
      type: 'VenueInvited',
      data: {
        membership_id: cmd.membership_id,
        chain_id: cmd.chain_id,
        venue_id: s.venue_id,
        invited_at: cmd.now.toISOString(),
        invited_by: cmd.by,
      },
    },
  ];
}

export function decideAccept(s: VenueMembershipsState, cmd: { chain_id: string; by: string; now: Date }): ChainMembershipEvent[] {
  const open = openMembership(s, cmd.chain_id);
  if (!open) throw notFound('invitation_not_found', 'This venue has no pending invitation from this chain.');
  if (open.status === 'ACTIVE') throw conflict('venue_already_in_chain', 'This venue is already an active member of this chain.');
  const other = activeMembership(s);
  if (other) throw conflict('venue_in_another_chain', 'A venue is in at most one active chain: leave the other chain first.');
  return [
    {
      type: 'VenueJoinedChain',
      data: {
        membership_id: open.membership_id,
        chain_id: cmd.chain_id,
        venue_id: s.venue_id,
        joined_at: cmd.now.toISOString(),
        accepted_by: cmd.by,
      },
    },
  ];
}

/** Soft-deactivation: an ACTIVE membership ends, a PENDING invitation is withdrawn; both stay in the history. */
export function decideLeave(s: VenueMembershipsState, cmd: { chain_id: string; by: string; now: Date }): ChainMembershipEvent[] {
  const open = openMembership(s, cmd.chain_id);
  if (!open) throw notFound('membership_not_found', 'This venue has no open membership in this chain.');
  return [
    {
      type: 'VenueLeftChain',
      data: {
        membership_id: open.membership_id,
        chain_id: cmd.chain_id,
        venue_id: s.venue_id,
        left_at: cmd.now.toISOString(),
        by: cmd.by,
        previous_status: open.status as 'PENDING' | 'ACTIVE',
      },
    },
  ];
}
