import type { MessageKey } from '../../i18n/en';

/** The server's rule (src/tenant-tier/tier-matrix.ts SUBSYSTEM_ID): `F<NN>.<MM>`. */
export const SUBSYSTEM_ID = /^F\d{2}\.\d{2}$/;

export interface GrantForm {
  subsystem_id: string;
  /** `<input type="datetime-local">` value (local time) or '' for a permanent add-on. */
  expires_at: string;
  billing_reference: string;
  reason: string;
}
export type GrantErrors = Partial<Record<keyof GrantForm, MessageKey>>;

/** A reason is 3–500 characters, counted as the server counts them (after trimming nothing). */
export function validateReason(reason: string): MessageKey | null {
  if (reason.trim() === '') return 'form.required';
  if (reason.length < 3 || reason.length > 500) return 'opTier.reasonLength';
  return null;
}

/** The grant form's rules, the same the API enforces, checked before anything is sent. */
export function validateGrant(f: GrantForm, now: Date): GrantErrors {
  const e: GrantErrors = {};
  const id = f.subsystem_id.trim();
  if (id === '') e.subsystem_id = 'form.required';
  else if (!SUBSYSTEM_ID.test(id)) e.subsystem_id = 'opTier.subsystemFormat';
  if (f.expires_at !== '') {
    const at = new Date(f.expires_at);
    if (Number.isNaN(at.getTime())) e.expires_at = 'opTier.expiryInvalid';
    else if (at.getTime() <= now.getTime()) e.expires_at = 'opTier.expiryPast';
  }
  if (f.billing_reference.length > 200) e.billing_reference = 'opTier.billingLength';
  const reason = validateReason(f.reason);
  if (reason) e.reason = reason;
  return e;
}

/** The body of `POST /sys/tenants/{id}/tier/addons` for a valid form. */
export function grantBody(f: GrantForm) {
  return {
    subsystem_id: f.subsystem_id.trim(),
    expires_at: f.expires_at === '' ? null : new Date(f.expires_at).toISOString(),
    billing_reference: f.billing_reference.trim() === '' ? null : f.billing_reference.trim(),
    reason: f.reason,
  };
}

/** The form field an API problem is about: `field`, or the field a validation message starts with; 409s of a grant are about the subsystem. */
export function serverFieldOf(problem: { error_code: string; field?: unknown; errors?: unknown }): keyof GrantForm | null {
  const fields: Array<keyof GrantForm> = ['subsystem_id', 'expires_at', 'billing_reference', 'reason'];
  const first = Array.isArray(problem.errors) && typeof problem.errors[0] === 'string' ? problem.errors[0].split(' ')[0] : undefined;
  const named = typeof problem.field === 'string' ? problem.field : first;
  if (named && (fields as string[]).includes(named)) return named as keyof GrantForm;
  if (['addon_exists', 'subsystem_already_allowed', 'unknown_subsystem'].includes(problem.error_code)) return 'subsystem_id';
  return null;
}
