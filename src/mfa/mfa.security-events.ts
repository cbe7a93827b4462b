import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';

/**
 * The MFA context's (TOTP and recovery codes) contribution to the SecurityEvent audit and
 * security e-mails. MfaEnrolled/MfaDisabled are shared event types: these rules only speak for
 * method 'totp', so other factors add their own rules without producing duplicates.
 */
export const MFA_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'MfaEnrolled',
    type: (d) => (d.method === 'totp' ? 'mfa_enrolled' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ method: d.method, replaced: d.replaced === true }),
    notify: () => true,
  },
  {
    event: 'MfaDisabled',
    type: (d) => (d.method === 'totp' ? 'mfa_disabled' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ method: d.method }),
    notify: () => true,
  },
  {
    event: 'TotpReplayRejected',
    type: () => 'totp_replay_rejected',
    userId: (d) => d.user_id,
    details: () => ({ factor: 'totp' }),
    notify: () => true,
  },
  {
    event: 'RecoveryCodesGenerated',
    type: () => 'recovery_codes_generated',
    userId: (d) => d.user_id,
    details: (d) => ({ count: Array.isArray(d.codes) ? d.codes.length : 0, replaced_remaining: d.replaced_remaining }),
    notify: () => true,
  },
  {
    event: 'RecoveryCodeUsed',
    type: () => 'recovery_code_used',
    userId: (d) => d.user_id,
    details: (d) => ({ remaining: d.remaining }),
    notify: () => true,
  },
];

const METHOD = {
  en: { totp: 'an authenticator app', sms: 'SMS codes', webauthn: 'a passkey or security key', email: 'e-mail codes' } as Record<
    string,
    string
  >,
  sv: { totp: 'en autentiseringsapp', sms: 'sms-koder', webauthn: 'en passkey eller säkerhetsnyckel', email: 'e-postkoder' } as Record<
    string,
    string
  >,
};
const method = (lang: 'en' | 'sv', m: unknown) => METHOD[lang][String(m)] ?? String(m);

export const MFA_MAIL_TEMPLATES: MailTemplates = {
  mfa_enrolled: {
    en: {
      subject: 'A second factor was added to your account',
      body: (d) => [
        `${d.replaced ? 'Your sign-in second factor was replaced by' : 'Your account is now protected with'} ${method('en', d.method)}.`,
      ],
    },
    sv: {
      subject: 'En andra faktor lades till på ditt konto',
      body: (d) => [
        `${d.replaced ? 'Din andra faktor för inloggning ersattes med' : 'Ditt konto skyddas nu med'} ${method('sv', d.method)}.`,
      ],
    },
  },
  mfa_disabled: {
    en: {
      subject: 'A second factor was removed from your account',
      body: (d) => [`${method('en', d.method)} can no longer be used to sign in to your account.`],
    },
    sv: {
      subject: 'En andra faktor togs bort från ditt konto',
      body: (d) => [`${method('sv', d.method)} kan inte längre användas för att logga in på ditt konto.`],
    },
  },
  totp_replay_rejected: {
    en: {
      subject: 'An authenticator code was used twice',
      body: () => [
        'Someone tried to sign in with an authenticator-app code that had already been used. It was rejected. If this was not you, your password and a code may have been observed: change your password.',
      ],
    },
    sv: {
      subject: 'En kod från autentiseringsappen användes två gånger',
      body: () => [
        'Någon försökte logga in med en kod från autentiseringsappen som redan hade använts. Försöket avvisades. Om det inte var du kan ditt lösenord och en kod ha observerats: byt lösenord.',
      ],
    },
  },
  recovery_codes_generated: {
    en: {
      subject: 'New recovery codes were created',
      body: () => ['New recovery codes were created for your account. Any earlier recovery codes no longer work.'],
    },
    sv: {
      subject: 'Nya återställningskoder skapades',
      body: () => ['Nya återställningskoder skapades för ditt konto. Tidigare återställningskoder fungerar inte längre.'],
    },
  },
  recovery_code_used: {
    en: {
      subject: 'A recovery code was used',
      body: (d) => [
        `A recovery code was used to sign in to your account. ${d.remaining} unused code(s) remain.`,
        ...(d.remaining <= 2 ? [`Only ${d.remaining} recovery code(s) left: generate a new set soon so you are not locked out.`] : []),
      ],
    },
    sv: {
      subject: 'En återställningskod användes',
      body: (d) => [
        `En återställningskod användes för att logga in på ditt konto. ${d.remaining} oanvända kod(er) återstår.`,
        ...(d.remaining <= 2
          ? [`Bara ${d.remaining} återställningskod(er) kvar: skapa en ny uppsättning snart så att du inte blir utelåst.`]
          : []),
      ],
    },
  },
};
