import type { MailTemplates, SecurityEventRule, TenantSecurityEventRule } from '../../audit/security-event-rule.js';

/** Invitations in the invitee's own audit. */
export const INVITATION_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'MemberInvited',
    // a new account's own invitation is accepted at once: nothing to act on
    type: (d) => (d.needs_acceptance ? 'tenant_invitation_received' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ invitation_id: d.invitation_id, tenant_id: d.tenant_id, roles: d.roles, expires_at: d.expires_at }),
  },
  {
    event: 'InvitationAccepted',
    type: (d) => (d.via === 'accept' ? 'tenant_invitation_accepted' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ invitation_id: d.invitation_id, tenant_id: d.tenant_id, roles: d.roles, session_id: d.session_id }),
    notify: () => true,
  },
  {
    event: 'InvitationExpired',
    type: () => 'tenant_invitation_expired',
    userId: (d) => d.user_id,
    details: (d) => ({ invitation_id: d.invitation_id, tenant_id: d.tenant_id }),
  },
];

export const INVITATION_MAIL_TEMPLATES: MailTemplates = {
  tenant_invitation_accepted: {
    en: {
      subject: 'You joined an organisation on Petanque Life',
      body: (d) => [`Your account accepted an invitation and is now a member with the roles ${(d.roles ?? []).join(', ')}.`],
    },
    sv: {
      subject: 'Du har gått med i en organisation i Petanque Life',
      body: (d) => [`Ditt konto tackade ja till en inbjudan och är nu medlem med rollerna ${(d.roles ?? []).join(', ')}.`],
    },
  },
};

/** Invitations as the tenant's admins see them: who invited whom with which roles (no address, no token). */
export const INVITATION_TENANT_EVENTS: TenantSecurityEventRule[] = [
  {
    event: 'MemberInvited',
    type: () => 'member_invited',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({
      invitation_id: d.invitation_id,
      user_id: d.user_id,
      roles: d.roles,
      invited_by: d.invited_by,
      expires_at: d.expires_at,
    }),
  },
  {
    event: 'InvitationAccepted',
    type: () => 'invitation_accepted',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ invitation_id: d.invitation_id, user_id: d.user_id, roles: d.roles }),
  },
  {
    event: 'InvitationExpired',
    type: () => 'invitation_expired',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ invitation_id: d.invitation_id, user_id: d.user_id }),
  },
];
