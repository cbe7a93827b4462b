import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { safeEqual } from '../../shared/crypto.js';
import { DomainError, badRequest, conflict, forbidden } from '../../shared/errors.js';

/** An invitation to join a tenant is valid this long (F02.07 members: invited, not silently added). */
export const INVITATION_TTL_MS = 7 * 86_400_000;

export type InvitationEvent =
  | DomainEvent<
      'MemberInvited',
      {
        invitation_id: string;
        tenant_id: string;
        /** The invitee (an account exists by the time of the invitation: created now or before). */
        user_id: string;
        roles: string[];
        invited_by: string;
        /** SHA-256 of the accept token; the token itself is only ever in the invitee's e-mail. */
        token_hash: string;
        expires_at: string;
        /** False for an address that got its account (and membership) with this invitation: no accept needed, no link sent. */
        needs_acceptance: boolean;
      }
    >
  | DomainEvent<
      'InvitationAccepted',
      {
        invitation_id: string;
        tenant_id: string;
        user_id: string;
        roles: string[];
        session_id: string | null;
        via: 'accept' | 'new_account';
      }
    >
  | DomainEvent<'InvitationExpired', { invitation_id: string; tenant_id: string; user_id: string; expired_at: string }>;

export type InvitationStatus = 'none' | 'pending' | 'accepted' | 'expired';

export interface InvitationState {
  status: InvitationStatus;
  invitation_id: string;
  tenant_id: string;
  user_id: string;
  roles: string[];
  token_hash: string;
  expires_at: number;
}

export const invitationStream = (id: string) => `invitation-${id}`;

export const invitationEvolver = {
  initialState: (): InvitationState => ({
    status: 'none',
    invitation_id: '',
    tenant_id: '',
    user_id: '',
    roles: [],
    token_hash: '',
    expires_at: 0,
  }),
  evolve(s: InvitationState, e: InvitationEvent): InvitationState {
    switch (e.type) {
      case 'MemberInvited':
        return {
          status: 'pending',
          invitation_id: e.data.invitation_id,
          tenant_id: e.data.tenant_id,
          user_id: e.data.user_id,
          roles: e.data.roles,
          token_hash: e.data.token_hash,
          expires_at: Date.parse(e.data.expires_at),
        };
      case 'InvitationAccepted':
        return { ...s, status: 'accepted' };
      case 'InvitationExpired':
        return { ...s, status: 'expired' };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

export interface InviteInput {
  invitation_id: string;
  tenant_id: string;
  user_id: string;
  roles: string[];
  invited_by: string;
  token_hash: string;
  needs_acceptance: boolean;
  now: number;
}

export function decideInvite(s: InvitationState, i: InviteInput): InvitationEvent[] {
  if (s.status !== 'none') throw conflict('invitation_exists', 'An invitation with this id already exists.');
  const invited: InvitationEvent = {
    type: 'MemberInvited',
    data: {
      invitation_id: i.invitation_id,
      tenant_id: i.tenant_id,
      user_id: i.user_id,
      roles: i.roles,
      invited_by: i.invited_by,
      token_hash: i.token_hash,
      expires_at: new Date(i.now + INVITATION_TTL_MS).toISOString(),
      needs_acceptance: i.needs_acceptance,
    },
  };
  if (i.needs_acceptance) return [invited];
  // a brand-new account was created for this tenant: it is a member at once
  return [
    invited,
    {
      type: 'InvitationAccepted',
      data: {
        invitation_id: i.invitation_id,
        tenant_id: i.tenant_id,
        user_id: i.user_id,
        roles: i.roles,
        session_id: null,
        via: 'new_account',
      },
    },
  ];
}

export const invalidInvitation = () => badRequest('invalid_invitation', 'This invitation link is not valid.');
const expiredError = () =>
  new DomainError('invitation_expired', 410, 'This invitation has expired; ask the tenant administrator for a new one.');

/** `already`: this account accepted before (the membership grant may still be missing after a crash). */
export type AcceptDecision = { events: InvitationEvent[]; error?: DomainError; already?: boolean };

/**
 * Accepting needs the token (its hash compared in constant time), the invitee's own session,
 * an invitation still pending and not past its 7 days. Accepted again from the same account it
 * is `already` (the handler answers 409 invitation_used, or finishes a grant a crash cut off).
 * An expired invitation records InvitationExpired once and answers 410.
 */
export function decideAccept(
  s: InvitationState,
  a: { token_hash: string; user_id: string; session_id: string; now: number },
): AcceptDecision {
  if (s.status === 'none' || !safeEqual(a.token_hash, s.token_hash)) throw invalidInvitation();
  if (a.user_id !== s.user_id)
    throw forbidden(
      'invitation_for_another_account',
      'This invitation was sent to another account; sign in as the invited person to accept it.',
    );
  if (s.status === 'accepted') return { events: [], already: true };
  if (s.status === 'expired') throw expiredError();
  if (a.now >= s.expires_at) return { events: decideExpire(s, a.now), error: expiredError() };
  return {
    events: [
      {
        type: 'InvitationAccepted',
        data: {
          invitation_id: s.invitation_id,
          tenant_id: s.tenant_id,
          user_id: s.user_id,
          roles: s.roles,
          session_id: a.session_id,
          via: 'accept',
        },
      },
    ],
  };
}

/** A pending invitation past its expiry becomes InvitationExpired (once). */
export function decideExpire(s: InvitationState, now: number): InvitationEvent[] {
  if (s.status !== 'pending' || now < s.expires_at) return [];
  return [
    {
      type: 'InvitationExpired',
      data: {
        invitation_id: s.invitation_id,
        tenant_id: s.tenant_id,
        user_id: s.user_id,
        expired_at: new Date(s.expires_at).toISOString(),
      },
    },
  ];
}
