import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { conflict, notFound } from '../../shared/errors.js';

export const POSITIONS = ['pointer', 'shooter', 'middle'] as const;
export type Position = (typeof POSITIONS)[number];

/** What a player may change about themselves; the tier and Stripe fields are never among them. */
export interface EditableProfile {
  display_name: string;
  country: string;
  language: 'sv' | 'en';
  birth_year: number | null;
  preferred_position: Position | null;
  handicap_hint: string | null;
  privacy_public_profile: boolean;
}

export type IndividualEvent =
  | DomainEvent<
      'IndividualSignedUp',
      {
        user_id: string;
        tenant_id: string;
        display_name: string;
        country: string;
        language: 'sv' | 'en';
        via: 'signup' | 'existing_user';
        at: string;
      }
    >
  | DomainEvent<'IndividualProfileUpdated', { user_id: string; changes: Partial<EditableProfile>; at: string }>;

/** One IndividualContext per user (F02.08): the stream is keyed by the user id, so it is unique by construction. */
export interface IndividualState extends EditableProfile {
  exists: boolean;
  user_id: string;
  tenant_id: string;
  subscription_tier: 'FREE' | 'PREMIUM';
  premium_valid_until: string | null;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
}

export const individualStream = (userId: string) => `individual-${userId}`;
export const individualEvolver = {
  initialState: (): IndividualState => ({
    exists: false,
    user_id: '',
    tenant_id: '',
    display_name: '',
    country: '',
    language: 'en',
    birth_year: null,
    preferred_position: null,
    handicap_hint: null,
    privacy_public_profile: false,
    subscription_tier: 'FREE',
    premium_valid_until: null,
    stripe_customer_id: null,
    stripe_subscription_id: null,
  }),
  evolve(s: IndividualState, e: IndividualEvent): IndividualState {
    switch (e.type) {
      case 'IndividualSignedUp':
        return {
          ...s,
          exists: true,
          user_id: e.data.user_id,
          tenant_id: e.data.tenant_id,
          display_name: e.data.display_name,
          country: e.data.country,
          language: e.data.language,
        };
      case 'IndividualProfileUpdated':
        return { ...s, ...e.data.changes };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

export function decideCreateContext(
  s: IndividualState,
  cmd: {
    user_id: string;
    tenant_id: string;
    display_name: string;
    country: string;
    language: 'sv' | 'en';
    via: 'signup' | 'existing_user';
    now: Date;
  },
): IndividualEvent[] {
  if (s.exists) throw conflict('individual_context_exists', 'You already have an individual player profile.', { tenant_id: s.tenant_id });
  const { now, ...data } = cmd;
  return [{ type: 'IndividualSignedUp', data: { ...data, at: now.toISOString() } }];
}

/** Only the fields that change; nothing when nothing does. */
export function decideUpdateProfile(s: IndividualState, changes: Partial<EditableProfile>, now: Date): IndividualEvent[] {
  if (!s.exists) throw notFound('individual_context_not_found', 'You have no individual player profile yet (POST /me/individual-context).');
  const changed = Object.fromEntries(
    Object.entries(changes).filter(([k, v]) => v !== undefined && (s as unknown as Record<string, unknown>)[k] !== v),
  ) as Partial<EditableProfile>;
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'IndividualProfileUpdated', data: { user_id: s.user_id, changes: changed, at: now.toISOString() } }];
}
