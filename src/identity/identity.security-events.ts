import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';

/** Identity's contribution to the SecurityEvent audit and security e-mails. */
export const IDENTITY_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'SessionStarted',
    type: () => 'new_login',
    userId: (d) => d.user_id,
    details: (d) => ({ session_id: d.session_id, method: d.method, new_device: d.new_device }),
    notify: (d) => d.new_device === true,
  },
  {
    event: 'AttemptFailed',
    type: (d) => (d.scope === 'login' ? 'login_failed' : 'mfa_verification_failed'),
    userId: (d) => d.user_id,
    details: (d) => ({ factor: d.factor, consecutive_failures: d.failures, retry_at: d.retry_at }),
  },
  {
    event: 'SessionRevoked',
    type: (d) =>
      d.reason === 'logout'
        ? 'logged_out'
        : // these come in bulk, summarised by their own event (OtherSessionsRevoked, PasswordReset, MembershipEnded, UserDeactivated)
          ['revoke_all', 'password_change', 'password_reset', 'membership_ended', 'deactivated'].includes(d.reason)
          ? null
          : 'session_revoked',
    userId: (d) => d.user_id,
    details: (d) => ({ session_id: d.session_id, reason: d.reason }),
    notify: (d) => d.reason === 'user' || d.reason === 'operator',
  },
  {
    event: 'OtherSessionsRevoked',
    type: () => 'sessions_revoked_all',
    userId: (d) => d.user_id,
    details: (d) => ({ count: d.count, kept_session_id: d.kept_session_id, reason: d.reason }),
    notify: (d) => d.count > 0 && d.reason === 'revoke_all',
  },
  {
    event: 'RefreshTokenReuseDetected',
    type: () => 'refresh_token_reuse_detected',
    userId: (d) => d.user_id,
    details: (d) => ({ session_id: d.session_id }),
    notify: () => true,
  },
  {
    // a just-rotated token came again from the same client within the grace: answered, and on record
    event: 'RefreshGraceUsed',
    type: () => 'refresh_grace_used',
    userId: (d) => d.user_id,
    details: (d) => ({ session_id: d.session_id, generation: d.generation }),
  },
  {
    event: 'PasswordChanged',
    type: () => 'password_changed',
    userId: (d) => d.user_id,
    notify: () => true,
  },
  {
    event: 'CredentialLocked',
    type: () => 'account_locked',
    userId: (d) => d.user_id,
    details: (d) => ({ scope: d.scope, consecutive_failures: d.failures }),
    notify: (d) => d.user_id !== null,
  },
  {
    // an operator made an existing account a member (POST /sys/tenants): the person is told at once
    event: 'MembershipGranted',
    type: (d) => (d.granted_by !== undefined ? 'tenant_membership_granted' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ tenant_id: d.tenant_id, roles: d.roles, granted_by: d.granted_by }),
    notify: (d) => d.granted_by !== undefined,
  },
  {
    event: 'CredentialUnlocked',
    type: () => 'account_unlocked',
    userId: (d) => d.user_id,
    details: (d) => ({ scope: d.scope, reason: d.reason }),
  },
];

const wasntYou = {
  en: "Wasn't you? Review your sessions and revoke any you do not recognise:",
  sv: 'Var det inte du? Se över dina sessioner och avsluta de du inte känner igen:',
};
export const WASNT_YOU = wasntYou;

export const IDENTITY_MAIL_TEMPLATES: MailTemplates = {
  new_login: {
    en: {
      subject: 'New sign-in to your Petanque Life account',
      body: (d) => [
        `Your account was signed in to from a device or browser not seen before on this account (${d.device ?? 'unknown device'}${d.location ? `, ${d.location}` : ''}).`,
      ],
    },
    sv: {
      subject: 'Ny inloggning på ditt Petanque Life-konto',
      body: (d) => [
        `Ditt konto loggades in från en enhet eller webbläsare som inte setts tidigare på kontot (${d.device ?? 'okänd enhet'}${d.location ? `, ${d.location}` : ''}).`,
      ],
    },
  },
  session_revoked: {
    en: { subject: 'A session was signed out', body: () => ['One of your sessions was revoked and can no longer be used.'] },
    sv: { subject: 'En session loggades ut', body: () => ['En av dina sessioner avslutades och kan inte längre användas.'] },
  },
  sessions_revoked_all: {
    en: {
      subject: 'All other sessions were signed out',
      body: (d) => [`${d.count} other session(s) were revoked; only the current device stays signed in.`],
    },
    sv: {
      subject: 'Alla andra sessioner loggades ut',
      body: (d) => [`${d.count} andra session(er) avslutades; bara den aktuella enheten är fortfarande inloggad.`],
    },
  },
  refresh_token_reuse_detected: {
    en: {
      subject: 'Suspicious reuse of a sign-in token',
      body: () => ['An old sign-in token of one of your sessions was used again. We signed that session out everywhere to protect you.'],
    },
    sv: {
      subject: 'Misstänkt återanvändning av inloggningstoken',
      body: () => [
        'En gammal inloggningstoken för en av dina sessioner användes igen. Vi har loggat ut den sessionen överallt för att skydda dig.',
      ],
    },
  },
  tenant_membership_granted: {
    en: {
      subject: 'You were made an administrator of an organisation',
      body: (d) => [
        `A platform operator added your account to a new organisation on Petanque Life with the roles ${(d.roles ?? []).join(', ')}. If you did not expect this, contact the federation's support.`,
      ],
    },
    sv: {
      subject: 'Du har blivit administratör för en organisation',
      body: (d) => [
        `En plattformsoperatör lade till ditt konto i en ny organisation i Petanque Life med rollerna ${(d.roles ?? []).join(', ')}. Om du inte väntade dig detta, kontakta förbundets support.`,
      ],
    },
  },
  password_changed: {
    en: { subject: 'Your password was changed', body: () => ['The password of your account was changed.'] },
    sv: { subject: 'Ditt lösenord har ändrats', body: () => ['Lösenordet för ditt konto har ändrats.'] },
  },
  account_locked: {
    en: {
      subject: 'Your account was locked after too many failed attempts',
      body: () => [
        'After many consecutive failed attempts, this sign-in credential is locked. Use a recovery path or contact support to unlock it.',
      ],
    },
    sv: {
      subject: 'Ditt konto låstes efter för många misslyckade försök',
      body: () => [
        'Efter många misslyckade försök i rad är inloggningen låst. Använd en återställningsväg eller kontakta supporten för att låsa upp den.',
      ],
    },
  },
};
