import type { MailTemplates, SecurityEventRule, TenantSecurityEventRule } from '../audit/security-event-rule.js';

/** Account lifecycle's contribution to the SecurityEvent audit and security e-mails (issue 16). */
export const ACCOUNT_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    // the link itself is the mail; the audit shows that one was asked for
    event: 'PasswordResetRequested',
    type: () => 'password_reset_requested',
    userId: (d) => d.user_id,
  },
  {
    event: 'PasswordReset',
    type: () => 'password_reset',
    userId: (d) => d.user_id,
    notify: () => true,
  },
  {
    event: 'MembershipEnded',
    type: () => 'membership_ended',
    userId: (d) => d.user_id,
    details: (d) => ({ tenant_id: d.tenant_id, roles: d.roles, reason: d.reason }),
    notify: () => true,
  },
  {
    // no mail: the person has no address any more
    event: 'PersonalDataErased',
    type: () => 'personal_data_erased',
    userId: (d) => d.user_id,
    details: (d) => ({ reason: d.reason }),
  },
  {
    event: 'UserDeactivated',
    type: () => 'account_deactivated',
    userId: (d) => d.user_id,
    details: (d) => ({ reason: d.reason }),
    notify: () => true,
  },
  {
    event: 'EmailChangeRequested',
    type: () => 'email_change_requested',
    userId: (d) => d.user_id,
    details: (d) => ({ new_email: d.new_email }),
  },
  {
    // e-mailed to the new address (the read model has it by then); the old one got the notice at the request
    event: 'EmailChanged',
    type: () => 'email_changed',
    userId: (d) => d.user_id,
    details: (d) => ({ email: d.email, previous_email: d.previous_email }),
    notify: () => true,
  },
  {
    event: 'UserReactivated',
    type: () => 'account_reactivated',
    userId: (d) => d.user_id,
    notify: () => true,
  },
];

/** What the tenant's admins see at GET /tenants/{tenant_id}/security-events. */
export const ACCOUNT_TENANT_EVENTS: TenantSecurityEventRule[] = [
  {
    event: 'MembershipEnded',
    type: () => 'member_removed',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ user_id: d.user_id, roles: d.roles, by: d.by }),
  },
];

export const ACCOUNT_MAIL_TEMPLATES: MailTemplates = {
  membership_ended: {
    en: {
      subject: 'You are no longer a member of a tenant',
      body: () => ['An administrator ended your membership of one of your clubs or organisations. Its sessions were signed out.'],
    },
    sv: {
      subject: 'Du är inte längre medlem',
      body: () => ['En administratör avslutade ditt medlemskap i en av dina klubbar eller organisationer. Dess sessioner loggades ut.'],
    },
  },
  account_deactivated: {
    en: {
      subject: 'Your account was deactivated',
      body: () => ['A platform operator deactivated your account: you cannot sign in anywhere until it is reactivated.'],
    },
    sv: {
      subject: 'Ditt konto har inaktiverats',
      body: () => ['En plattformsoperatör inaktiverade ditt konto: du kan inte logga in någonstans förrän det aktiveras igen.'],
    },
  },
  email_changed: {
    en: { subject: 'Your e-mail address was changed', body: (d) => [`The e-mail address of your account is now ${d.email}.`] },
    sv: { subject: 'Din e-postadress har ändrats', body: (d) => [`E-postadressen för ditt konto är nu ${d.email}.`] },
  },
  account_reactivated: {
    en: { subject: 'Your account was reactivated', body: () => ['Your account was reactivated: you can sign in again.'] },
    sv: { subject: 'Ditt konto har aktiverats igen', body: () => ['Ditt konto aktiverades igen: du kan logga in igen.'] },
  },
  password_reset: {
    en: {
      subject: 'Your password was reset',
      body: () => [
        'The password of your account was reset with a link sent to this address. Every session and trusted device was signed out.',
      ],
    },
    sv: {
      subject: 'Ditt lösenord har återställts',
      body: () => [
        'Lösenordet för ditt konto återställdes med en länk som skickades till den här adressen. Alla sessioner och betrodda enheter loggades ut.',
      ],
    },
  },
};
