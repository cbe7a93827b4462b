import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';

/**
 * SMS/e-mail OTP contribution to the SecurityEvent audit and security e-mails. MfaEnrolled and
 * MfaDisabled are shared event names across factors: these rules only take method "sms".
 */
export const SMS_EMAIL_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'MfaEnrolled',
    type: (d) => (d.method === 'sms' ? 'mfa_enrolled' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ method: 'sms', phone_masked: d.phone_masked, replaced: d.replaced }),
    notify: (d) => d.method === 'sms',
  },
  {
    event: 'MfaDisabled',
    type: (d) => (d.method === 'sms' ? 'mfa_disabled' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ method: 'sms', phone_masked: d.phone_masked }),
    notify: (d) => d.method === 'sms',
  },
  {
    // e-mail OTP is the break-glass fallback: every use that signs a session in is audited and mailed
    event: 'SessionMfaSatisfied',
    type: (d) => (d.method === 'email' ? 'email_otp_used' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ method: 'email', session_id: d.session_id }),
    notify: (d) => d.method === 'email',
  },
  {
    event: 'OtpChallengeLocked',
    type: () => 'mfa_challenge_locked',
    userId: (d) => d.user_id,
    details: (d) => ({ method: d.channel, challenge_id: d.challenge_id, attempts: d.attempts }),
    notify: () => true,
  },
];

const METHOD = {
  en: (d: Record<string, any>) =>
    d.method === 'sms'
      ? `SMS codes${d.phone_masked ? ` to ${d.phone_masked}` : ''}`
      : d.method === 'email'
        ? 'e-mail codes'
        : (d.method ?? 'a second factor'),
  sv: (d: Record<string, any>) =>
    d.method === 'sms'
      ? `sms-koder${d.phone_masked ? ` till ${d.phone_masked}` : ''}`
      : d.method === 'email'
        ? 'e-postkoder'
        : (d.method ?? 'en tvåstegsmetod'),
};

export const SMS_EMAIL_MAIL_TEMPLATES: MailTemplates = {
  mfa_enrolled: {
    en: {
      subject: 'A sign-in method was added to your account',
      body: (d) => [`Two-step verification with ${METHOD.en(d)} was ${d.replaced ? 'changed' : 'added'} on your account.`],
    },
    sv: {
      subject: 'En inloggningsmetod lades till på ditt konto',
      body: (d) => [`Tvåstegsverifiering med ${METHOD.sv(d)} ${d.replaced ? 'ändrades' : 'lades till'} på ditt konto.`],
    },
  },
  mfa_disabled: {
    en: {
      subject: 'A sign-in method was removed from your account',
      body: (d) => [`Two-step verification with ${METHOD.en(d)} was removed from your account.`],
    },
    sv: {
      subject: 'En inloggningsmetod togs bort från ditt konto',
      body: (d) => [`Tvåstegsverifiering med ${METHOD.sv(d)} togs bort från ditt konto.`],
    },
  },
  email_otp_used: {
    en: {
      subject: 'An e-mail code was used to sign in',
      body: () => [
        'A one-time code sent to this address was used as the second step of a sign-in to your account, instead of your authenticator app, phone or passkey. If this was not you, someone knows your password and can read your e-mail: change both passwords and sign out your other sessions.',
      ],
    },
    sv: {
      subject: 'En e-postkod användes för att logga in',
      body: () => [
        'En engångskod som skickades till den här adressen användes som andra steg vid en inloggning på ditt konto, i stället för din autentiseringsapp, telefon eller passkey. Om det inte var du känner någon till ditt lösenord och kan läsa din e-post: byt båda lösenorden och logga ut dina andra sessioner.',
      ],
    },
  },
  mfa_challenge_locked: {
    en: {
      subject: 'Too many wrong codes were entered',
      body: (d) => [
        `A one-time code sent as ${METHOD.en(d)} was entered wrongly ${d.attempts ?? 5} times, so it was cancelled. If this was not you, someone may know your password: change it.`,
      ],
    },
    sv: {
      subject: 'För många felaktiga koder angavs',
      body: (d) => [
        `En engångskod skickad som ${METHOD.sv(d)} angavs fel ${d.attempts ?? 5} gånger och har därför spärrats. Om det inte var du kan någon känna till ditt lösenord: byt det.`,
      ],
    },
  },
};
