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
  | DomainEvent<'IndividualProfileUpdated', { user_id: string; changes: Partial<EditableProfile>; at: string }>
  | DomainEvent<'PremiumActivated', { user_id: string; valid_until: string; source: 'dev' | 'stripe'; at: string }>;

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
      case 'PremiumActivated':
        return { ...s, subscription_tier: 'PREMIUM', premium_valid_until: e.data.valid_until };
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

export const PREMIUM_GRACE_MS = 7 * 86_400_000;
export const DEV_PREMIUM_MS = 30 * 86_400_000;

/** is_premium_active (F02.08.04): PREMIUM and paid up, or within the 7-day grace after `premium_valid_until`. */
export function isPremiumActive(
  s: Pick<IndividualState, 'subscription_tier' | 'premium_valid_until'>,
  now: Date,
): { active: boolean; grace_until: string | null } {
  if (s.subscription_tier !== 'PREMIUM' || !s.premium_valid_until) return { active: false, grace_until: null };
  const until = Date.parse(s.premium_valid_until);
  const grace = until + PREMIUM_GRACE_MS;
  return { active: now.getTime() < grace, grace_until: now.getTime() >= until ? new Date(grace).toISOString() : null };
}

/** Without Stripe (the embedded default) a player can try premium: 30 days from now, or from the current end. */
export function decideDevUpgrade(s: IndividualState, now: Date): IndividualEvent[] {
  if (!s.exists) throw notFound('individual_context_not_found', 'You have no individual player profile yet (POST /me/individual-context).');
  const from = Math.max(now.getTime(), s.premium_valid_until ? Date.parse(s.premium_valid_until) : 0);
  return [
    {
      type: 'PremiumActivated',
      data: { user_id: s.user_id, valid_until: new Date(from + DEV_PREMIUM_MS).toISOString(), source: 'dev', at: now.toISOString() },
    },
  ];
}
