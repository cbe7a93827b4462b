/**
 * Which payload fields of an event type are personal data, and whose (the subject: a user id).
 * One declaration per event type, kept by the context that owns the event in its
 * `<context>.personal-data.ts` and listed in personal-data-registry.ts. The repository seals
 * these fields with the subject's data key before the event reaches the log; an event type
 * without a declaration keeps its payload as it is (only its metadata ip/user_agent are sealed,
 * for the actor).
 */
export interface PersonalDataRule<D = Record<string, unknown>> {
  event: string;
  /** The person the fields belong to; null/undefined: nobody's (fields stay as they are). */
  subject: (data: D) => unknown;
  /** Top-level payload fields; any JSON value (objects too) is sealed whole. */
  fields: readonly string[];
  /**
   * Top-level string fields (of this event) that are a label for the audit, which no decider or
   * projection reads: stored as a keyed hash (`hk1.<HMAC-SHA-256 hex>` with the server HMAC
   * secret), like the address stream names. Reads give the stored form, not what the handler
   * wrote, so a value that state compares with a new one must be hashed by its handler instead.
   */
  keyed?: (data: D) => readonly string[];
}

/** A typed declaration helper: `personal<{ user_id: string; email: string }>('UserRegistered', (d) => d.user_id, ['email'])`. */
export function personal<D = Record<string, any>>(
  event: string,
  subject: (data: D) => unknown,
  fields: readonly string[],
): PersonalDataRule {
  return { event, subject: subject as (data: Record<string, unknown>) => unknown, fields };
}

/** A declaration of keyed-hash fields only: `keyedHash('AttemptClaimed', (d) => (d.scope === 'login' ? ['key'] : []))`. */
export function keyedHash<D = Record<string, any>>(event: string, fields: (data: D) => readonly string[]): PersonalDataRule {
  return { event, subject: () => null, fields: [], keyed: fields as (data: Record<string, unknown>) => readonly string[] };
}

/** What an erased person's field reads as, everywhere (projections, stream:read, API). */
export const ERASED = '[erased]';
