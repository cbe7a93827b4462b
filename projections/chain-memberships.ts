import { defineProjection } from '../src/projections-runtime/projection.js';
import type { ChainMembershipEvent, MembershipStatus } from '../src/chain/venues/chain-membership.decider.js';

/**
 * Chain memberships (F02.09.01): one document per membership period (id = membership id), so a
 * venue invited again after leaving has two rows and its history stays readable. Invoices prorate
 * from joined_at/left_at.
 */
export interface ChainMembershipView {
  id: string;
  membership_id: string;
  chain_id: string;
  venue_id: string;
  status: MembershipStatus;
  invited_at: string;
  invited_by: string;
  joined_at: string | null;
  left_at: string | null;
  last_position: number;
  [k: string]: unknown;
}

export const chainMembershipsProjection = defineProjection({
  name: 'chain_memberships',
  collections: [
    {
      name: 'chain_memberships',
      indexes: [{ fields: ['chain_id', 'invited_at'] }, { fields: ['venue_id', 'status'] }, { fields: ['chain_id', 'status'] }],
    },
  ],
  handles: ['VenueInvited', 'VenueJoinedChain', 'VenueLeftChain'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as ChainMembershipEvent;
    const docs = tx.collection<ChainMembershipView>('chain_memberships');
    const doc = await docs.get(e.data.membership_id);
    if (e.type === 'VenueInvited') {
      if (doc) return;
      await docs.upsert({
        id: e.data.membership_id,
        membership_id: e.data.membership_id,
        chain_id: e.data.chain_id,
        venue_id: e.data.venue_id,
        status: 'PENDING',
        invited_at: e.data.invited_at,
        invited_by: e.data.invited_by,
        joined_at: null,
        left_at: null,
        last_position: event.position,
      });
      return;
    }
    // guard by position: an event applied twice changes nothing
    if (!doc || doc.last_position >= event.position) return;
    const set =
      e.type === 'VenueJoinedChain'
        ? { status: 'ACTIVE', joined_at: e.data.joined_at, last_position: event.position }
        : { status: 'INACTIVE', left_at: e.data.left_at, last_position: event.position };
    await docs.patch(doc.id, { set });
  },
});
