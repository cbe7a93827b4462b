import type { MailTemplates, SecurityEventRule, TenantSecurityEventRule } from './security-event-rule.js';
import { IDENTITY_MAIL_TEMPLATES, IDENTITY_SECURITY_EVENTS } from '../identity/identity.security-events.js';
import { MFA_MAIL_TEMPLATES, MFA_SECURITY_EVENTS } from '../mfa/mfa.security-events.js';
import { POLICY_MAIL_TEMPLATES, POLICY_SECURITY_EVENTS } from '../mfa/policy.security-events.js';
import { SMS_EMAIL_MAIL_TEMPLATES, SMS_EMAIL_SECURITY_EVENTS } from '../mfa/sms-email.security-events.js';
import { WEBAUTHN_MAIL_TEMPLATES, WEBAUTHN_SECURITY_EVENTS } from '../mfa/webauthn.security-events.js';
import {
  TENANT_TIER_MAIL_TEMPLATES,
  TENANT_TIER_SECURITY_EVENTS,
  TENANT_TIER_TENANT_EVENTS,
} from '../tenant-tier/tenant-tier.security-events.js';
import { ACCOUNT_MAIL_TEMPLATES, ACCOUNT_SECURITY_EVENTS, ACCOUNT_TENANT_EVENTS } from '../account/account.security-events.js';
import {
  INVITATION_MAIL_TEMPLATES,
  INVITATION_SECURITY_EVENTS,
  INVITATION_TENANT_EVENTS,
} from '../identity/invitations/invitations.security-events.js';
import { PASSPORT_MAIL_TEMPLATES, PASSPORT_SECURITY_EVENTS } from '../passport/passport.security-events.js';

/** Every context's security-event rules and mail texts. A new context adds its two lists here. */
export const SECURITY_EVENT_RULES: readonly SecurityEventRule[] = [
  ...IDENTITY_SECURITY_EVENTS,
  ...MFA_SECURITY_EVENTS,
  ...POLICY_SECURITY_EVENTS,
  ...SMS_EMAIL_SECURITY_EVENTS,
  ...WEBAUTHN_SECURITY_EVENTS,
  ...TENANT_TIER_SECURITY_EVENTS,
  ...ACCOUNT_SECURITY_EVENTS,
  ...INVITATION_SECURITY_EVENTS,
  ...PASSPORT_SECURITY_EVENTS,
];
/** Tenant-level security events (shown to the tenant's admins, who may be e-mailed). */
export const TENANT_SECURITY_EVENT_RULES: readonly TenantSecurityEventRule[] = [
  ...TENANT_TIER_TENANT_EVENTS,
  ...ACCOUNT_TENANT_EVENTS,
  ...INVITATION_TENANT_EVENTS,
];
export const SECURITY_MAIL_TEMPLATES: MailTemplates = {
  ...IDENTITY_MAIL_TEMPLATES,
  ...WEBAUTHN_MAIL_TEMPLATES,
  ...SMS_EMAIL_MAIL_TEMPLATES,
  ...MFA_MAIL_TEMPLATES,
  ...POLICY_MAIL_TEMPLATES,
  ...TENANT_TIER_MAIL_TEMPLATES,
  ...ACCOUNT_MAIL_TEMPLATES,
  ...INVITATION_MAIL_TEMPLATES,
  ...PASSPORT_MAIL_TEMPLATES,
};

export const rulesByEvent = (): Map<string, SecurityEventRule[]> => {
  const m = new Map<string, SecurityEventRule[]>();
  for (const r of SECURITY_EVENT_RULES) m.set(r.event, [...(m.get(r.event) ?? []), r]);
  return m;
};

export const tenantRulesByEvent = (): Map<string, TenantSecurityEventRule[]> => {
  const m = new Map<string, TenantSecurityEventRule[]>();
  for (const r of TENANT_SECURITY_EVENT_RULES) m.set(r.event, [...(m.get(r.event) ?? []), r]);
  return m;
};
