/**
 * How a domain event becomes a SecurityEvent (F02.07.10) and whether its owner is e-mailed.
 * Each bounded context declares its rules in `<context>.security-events.ts`; the audit
 * projection and the notification reactor read the same list, so nothing reaches the audit
 * or the mailbox without being an event.
 */
export interface SecurityEventRule<D = any> {
  /** Domain event type (past tense). */
  event: string;
  /** Security event type, or null to leave this occurrence out of the audit. */
  type: (data: D) => string | null;
  userId: (data: D) => string | null;
  /** Extra facts shown to the user; e-mail/phone fields are masked by the projection. */
  details?: (data: D) => Record<string, unknown>;
  /** Whether the owner gets a security e-mail for this occurrence. */
  notify?: (data: D) => boolean;
}

export interface MailText {
  subject: string;
  /** Body paragraphs; `d` are the (masked) details of the security event. */
  body: (d: Record<string, any>) => string[];
}

/** Security e-mail texts per security event type, in both languages. */
export type MailTemplates = Record<string, { en: MailText; sv: MailText }>;

/**
 * How a domain event becomes a tenant-level security event (GET /tenants/{id}/security-events,
 * for that tenant's admins) and whether each tenant admin is e-mailed.
 */
export interface TenantSecurityEventRule<D = any> {
  event: string;
  type: (data: D) => string;
  tenantId: (data: D) => string;
  details?: (data: D) => Record<string, unknown>;
  /** One e-mail per tenant admin (template keyed by the type in SECURITY_MAIL_TEMPLATES). */
  notifyAdmins?: (data: D) => boolean;
}
