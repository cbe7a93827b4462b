import type { MailTemplates, SecurityEventRule, TenantSecurityEventRule } from '../audit/security-event-rule.js';

const addon = (d: Record<string, unknown>) => ({ addon_id: d.addon_id, subsystem_id: d.subsystem_id });

/** Every tier mutation is a tenant security event, and the tenant's admins are e-mailed. */
export const TENANT_TIER_TENANT_EVENTS: TenantSecurityEventRule[] = [
  {
    event: 'AddonGranted',
    type: () => 'tenant.tier.addon_granted',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ ...addon(d), expires_at: d.expires_at, reason: d.reason }),
    notifyAdmins: () => true,
  },
  {
    event: 'AddonRevoked',
    type: () => 'tenant.tier.addon_revoked',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ ...addon(d), reason: d.reason }),
    notifyAdmins: () => true,
  },
  {
    event: 'AddonExpired',
    type: () => 'tenant.tier.addon_expired',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ ...addon(d), expires_at: d.expires_at }),
    notifyAdmins: () => true,
  },
  {
    event: 'TenantTypeChanged',
    type: () => 'tenant.tier.type_changed',
    tenantId: (d) => d.tenant_id,
    details: (d) => ({ previous_type: d.previous_type, tenant_type: d.tenant_type, reason: d.reason }),
    notifyAdmins: () => true,
  },
];

/** A person's operator roles changed: in their own audit, and they are told. */
export const TENANT_TIER_SECURITY_EVENTS: SecurityEventRule[] = [
  {
    event: 'SysRolesChanged',
    type: () => 'sys_roles_changed',
    userId: (d) => d.user_id,
    details: (d) => ({ sys_roles: d.sys_roles, previous: d.previous }),
    notify: () => true,
  },
];

const list = (v: unknown) => (Array.isArray(v) && v.length ? v.join(', ') : '—');

export const TENANT_TIER_MAIL_TEMPLATES: MailTemplates = {
  'tenant.tier.addon_granted': {
    en: {
      subject: 'An add-on was added to your organisation',
      body: (d) => [
        `Petanque Life operators unlocked ${d.subsystem_id} for your organisation${d.expires_at ? ` until ${d.expires_at}` : ' (no end date)'}.`,
      ],
    },
    sv: {
      subject: 'Ett tillägg har lagts till för er organisation',
      body: (d) => [
        `Petanque Lifes operatörer har låst upp ${d.subsystem_id} för er organisation${d.expires_at ? ` till ${d.expires_at}` : ' (tills vidare)'}.`,
      ],
    },
  },
  'tenant.tier.addon_revoked': {
    en: {
      subject: 'An add-on of your organisation was removed',
      body: (d) => [`${d.subsystem_id} is no longer available to your organisation.`],
    },
    sv: {
      subject: 'Ett tillägg för er organisation har tagits bort',
      body: (d) => [`${d.subsystem_id} är inte längre tillgängligt för er organisation.`],
    },
  },
  'tenant.tier.addon_expired': {
    en: {
      subject: 'An add-on of your organisation has expired',
      body: (d) => [`The add-on for ${d.subsystem_id} ended on ${d.expires_at}.`],
    },
    sv: {
      subject: 'Ett tillägg för er organisation har löpt ut',
      body: (d) => [`Tillägget för ${d.subsystem_id} upphörde ${d.expires_at}.`],
    },
  },
  'tenant.tier.type_changed': {
    en: {
      subject: 'Your organisation changed tier',
      body: (d) => [
        `Your organisation is now of type ${d.tenant_type} (was ${d.previous_type}); the features you can reach follow the new tier.`,
      ],
    },
    sv: {
      subject: 'Er organisation har bytt nivå',
      body: (d) => [
        `Er organisation är nu av typen ${d.tenant_type} (var ${d.previous_type}); vilka funktioner ni når följer den nya nivån.`,
      ],
    },
  },
  sys_roles_changed: {
    en: {
      subject: 'Your operator roles changed',
      body: (d) => [`Your Petanque Life operator roles are now: ${list(d.sys_roles)} (were: ${list(d.previous)}).`],
    },
    sv: {
      subject: 'Dina operatörsroller har ändrats',
      body: (d) => [`Dina operatörsroller i Petanque Life är nu: ${list(d.sys_roles)} (var: ${list(d.previous)}).`],
    },
  },
};
