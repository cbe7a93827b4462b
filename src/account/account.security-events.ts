import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';

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
];

export const ACCOUNT_MAIL_TEMPLATES: MailTemplates = {
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
