import { defineProjection } from '../src/projections-runtime/projection.js';
import type { InvitationEvent } from '../src/identity/invitations/invitation.decider.js';

/** Invitations to join a tenant: what the expiry sweep and the tenant admins' pending list read. No token or hash here. */
export interface InvitationView {
  id: string;
  tenant_id: string;
  user_id: string;
  roles: string[];
  invited_by: string;
  status: 'pending' | 'accepted' | 'expired';
  invited_at: string;
  expires_at: string;
  closed_at: string | null;
  [k: string]: unknown;
}

export const invitationsProjection = defineProjection({
  name: 'invitations',
  collections: [
    { name: 'invitations', indexes: [{ fields: ['status', 'expires_at'] }, { fields: ['tenant_id', 'status', 'invited_at'] }] },
  ],
  handles: ['MemberInvited', 'InvitationAccepted', 'InvitationExpired'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as InvitationEvent;
    const invitations = tx.collection<InvitationView>('invitations');
    switch (e.type) {
      case 'MemberInvited':
        await invitations.upsert({
          id: e.data.invitation_id,
          tenant_id: e.data.tenant_id,
          user_id: e.data.user_id,
          roles: e.data.roles,
          invited_by: e.data.invited_by,
          status: 'pending',
          invited_at: event.occurred_at,
          expires_at: e.data.expires_at,
          closed_at: null,
        });
        break;
      case 'InvitationAccepted':
        await invitations.patch(e.data.invitation_id, { set: { status: 'accepted', closed_at: event.occurred_at } });
        break;
      case 'InvitationExpired':
        await invitations.patch(e.data.invitation_id, { set: { status: 'expired', closed_at: event.occurred_at } });
        break;
      default:
        break;
    }
  },
});
