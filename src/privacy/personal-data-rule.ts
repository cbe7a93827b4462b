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
}

/** A typed declaration helper: `personal<{ user_id: string; email: string }>('UserRegistered', (d) => d.user_id, ['email'])`. */
export function personal<D = Record<string, any>>(
  event: string,
  subject: (data: D) => unknown,
  fields: readonly string[],
): PersonalDataRule {
  return { event, subject: subject as (data: Record<string, unknown>) => unknown, fields };
}

/** What an erased person's field reads as, everywhere (projections, stream:read, API). */
export const ERASED = '[erased]';
