import type { MailTemplates, SecurityEventRule } from '../audit/security-event-rule.js';
import { WASNT_YOU } from '../identity/identity.security-events.js';

/** The MFA policy and trusted devices' contribution to the SecurityEvent audit and security e-mails. */
export const POLICY_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    // also listed per tenant at GET /tenants/{tenant_id}/security-events (projections/tenant-security-events.ts)
    event: 'MfaPolicySet',
    type: () => 'mfa_policy_changed',
    userId: (d) => d.set_by,
    details: (d) => ({
      tenant_id: d.tenant_id,
      required_roles: d.required_roles,
      allowed_methods: d.allowed_methods,
      grace_period_days: d.grace_period_days,
      fresh_window_seconds: d.fresh_window_seconds,
    }),
  },
  {
    event: 'TrustedDeviceAdded',
    type: () => 'trusted_device_added',
    userId: (d) => d.user_id,
    details: (d) => ({ device_id: d.device_id, name: d.name, expires_at: d.expires_at }),
    notify: () => true,
  },
  {
    event: 'TrustedDeviceRemoved',
    type: () => 'trusted_device_removed',
    userId: (d) => d.user_id,
    details: (d) => ({ device_id: d.device_id, name: d.name, reason: d.reason }),
    notify: () => true,
  },
];

export const POLICY_MAIL_TEMPLATES: MailTemplates = {
  trusted_device_added: {
    en: {
      subject: 'A device was added as trusted',
      body: (d) => [`"${d.name}" is now a trusted device: signing in from it skips the second factor until ${d.expires_at}.`, WASNT_YOU.en],
    },
    sv: {
      subject: 'En enhet lades till som betrodd',
      body: (d) => [
        `"${d.name}" är nu en betrodd enhet: inloggning från den hoppar över den andra faktorn till ${d.expires_at}.`,
        WASNT_YOU.sv,
      ],
    },
  },
  trusted_device_removed: {
    en: {
      subject: 'A trusted device was removed',
      body: (d) => [`"${d.name}" is no longer a trusted device; signing in from it asks for the second factor again.`],
    },
    sv: {
      subject: 'En betrodd enhet togs bort',
      body: (d) => [`"${d.name}" är inte längre en betrodd enhet; inloggning från den kräver den andra faktorn igen.`],
    },
  },
};
