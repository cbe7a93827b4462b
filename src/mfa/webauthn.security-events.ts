import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';

/**
 * WebAuthn's contribution to the SecurityEvent audit and security e-mails. MfaEnrolled and
 * MfaDisabled are shared event types across factors: these rules only take method 'webauthn'.
 */
export const WEBAUTHN_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'MfaEnrolled',
    type: (d) => (d.method === 'webauthn' ? 'mfa_enrolled' : null),
    userId: (d) => d.user_id,
    details: (d) => ({ method: d.method, credential_id: d.credential_id, credential_name: d.credential_name }),
    notify: (d) => d.method === 'webauthn',
  },
  {
    event: 'MfaDisabled',
    type: (d) => (d.method === 'webauthn' ? 'mfa_disabled' : null),
    userId: (d) => d.user_id,
    details: (d) => ({
      method: d.method,
      credential_id: d.credential_id,
      credential_name: d.credential_name,
      remaining_credentials: d.remaining_credentials,
    }),
    notify: (d) => d.method === 'webauthn',
  },
  {
    event: 'WebAuthnCounterRegressionDetected',
    type: () => 'webauthn_counter_regression',
    userId: (d) => d.user_id,
    details: (d) => ({
      credential_id: d.credential_id,
      credential_name: d.credential_name,
      stored_counter: d.stored_counter,
      received_counter: d.received_counter,
    }),
    notify: () => true,
  },
];

const methodName = (m: unknown, lang: 'en' | 'sv') =>
  m === 'webauthn'
    ? lang === 'en'
      ? 'a passkey'
      : 'en passkey'
    : m === 'totp'
      ? lang === 'en'
        ? 'an authenticator app'
        : 'en autentiseringsapp'
      : String(m ?? '');
const named = (d: Record<string, unknown>) => (d.credential_name ? ` ("${d.credential_name}")` : '');

export const WEBAUTHN_MAIL_TEMPLATES: MailTemplates = {
  mfa_enrolled: {
    en: {
      subject: 'A second factor was added to your account',
      body: (d) => [`${methodName(d.method, 'en')}${named(d)} was added as a second factor to your account.`],
    },
    sv: {
      subject: 'En tvåstegsverifiering lades till på ditt konto',
      body: (d) => [`${methodName(d.method, 'sv')}${named(d)} lades till som andra faktor på ditt konto.`],
    },
  },
  mfa_disabled: {
    en: {
      subject: 'A second factor was removed from your account',
      body: (d) => [`${methodName(d.method, 'en')}${named(d)} was removed and can no longer be used to sign in.`],
    },
    sv: {
      subject: 'En tvåstegsverifiering togs bort från ditt konto',
      body: (d) => [`${methodName(d.method, 'sv')}${named(d)} togs bort och kan inte längre användas för inloggning.`],
    },
  },
  webauthn_counter_regression: {
    en: {
      subject: 'A possibly cloned passkey was used on your account',
      body: (d) => [
        `A sign-in with your passkey${named(d)} was refused: its signature counter went backwards (${d.received_counter} after ${d.stored_counter}).`,
        'This can mean the authenticator was copied. Remove this passkey and register a new one.',
      ],
    },
    sv: {
      subject: 'En möjligen klonad passkey användes på ditt konto',
      body: (d) => [
        `En inloggning med din passkey${named(d)} nekades: dess signaturräknare gick bakåt (${d.received_counter} efter ${d.stored_counter}).`,
        'Det kan betyda att autentiseraren har kopierats. Ta bort denna passkey och registrera en ny.',
      ],
    },
  },
};
