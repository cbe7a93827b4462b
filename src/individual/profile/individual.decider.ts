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
  | DomainEvent<
      'PremiumActivated',
      { user_id: string; valid_until: string; source: 'dev' | 'stripe'; at: string; subscription_id?: string; stripe_event?: StripeRef }
    >
  | DomainEvent<'PremiumExtended', { user_id: string; valid_until: string; subscription_id: string; at: string; stripe_event: StripeRef }>
  | DomainEvent<
      'PremiumCancelled',
      { user_id: string; valid_until: string | null; subscription_id: string | null; at: string; stripe_event: StripeRef | null }
    >
  | DomainEvent<'StripeCustomerLinked', { user_id: string; customer_id: string }>;

/** Which Stripe event caused a change: its id (dedup) and creation time (order). */
export interface StripeRef {
  id: string;
  created: number;
}

/** One IndividualContext per user (F02.08): the stream is keyed by the user id, so it is unique by construction. */
export interface IndividualState extends EditableProfile {
  exists: boolean;
  user_id: string;
  tenant_id: string;
  subscription_tier: 'FREE' | 'PREMIUM';
  premium_valid_until: string | null;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  /** Cancelled (by the player or Stripe): FREE at the end of the paid period, no grace. */
  premium_cancelled: boolean;
  /** Newest Stripe event applied (seconds) and the last few ids: older or repeated events change nothing. */
  stripe_last_event_at: number;
  stripe_event_ids: string[];
}

export const individualStream = (userId: string) => `individual-${userId}`;

const stripeSeen = (s: IndividualState, ref: StripeRef | null | undefined): IndividualState =>
  ref
    ? {
        ...s,
        stripe_last_event_at: Math.max(s.stripe_last_event_at, ref.created),
        stripe_event_ids: [...s.stripe_event_ids, ref.id].slice(-20),
      }
    : s;
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
    premium_cancelled: false,
    stripe_last_event_at: 0,
    stripe_event_ids: [],
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
      case 'PremiumExtended':
        return {
          ...stripeSeen(s, e.data.stripe_event),
          subscription_tier: 'PREMIUM',
          premium_valid_until: e.data.valid_until,
          premium_cancelled: false,
          stripe_subscription_id: e.data.subscription_id ?? s.stripe_subscription_id,
        };
      case 'PremiumCancelled':
        return {
          ...stripeSeen(s, e.data.stripe_event),
          premium_cancelled: true,
          premium_valid_until: e.data.valid_until ?? s.premium_valid_until,
        };
      case 'StripeCustomerLinked':
        return { ...s, stripe_customer_id: e.data.customer_id };
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
  s: Pick<IndividualState, 'subscription_tier' | 'premium_valid_until'> & { premium_cancelled?: boolean },
  now: Date,
): { active: boolean; grace_until: string | null } {
  if (s.subscription_tier !== 'PREMIUM' || !s.premium_valid_until) return { active: false, grace_until: null };
  const until = Date.parse(s.premium_valid_until);
  // a cancelled subscription ends with its paid period; the grace is for a payment that is late
  if (s.premium_cancelled) return { active: now.getTime() < until, grace_until: null };
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

/** What a Stripe event means for the player (already matched to them). */
export interface StripeChange {
  kind: 'paid' | 'cancelled';
  subscription_id: string;
  /** The subscription's current period end, ISO; null when Stripe did not say. */
  period_end: string | null;
  event: StripeRef;
}

/** Applied once per event id, and never over a newer event (Stripe does not deliver in order). */
export function decideStripe(s: IndividualState, c: StripeChange, now: Date): IndividualEvent[] {
  if (!s.exists || s.stripe_event_ids.includes(c.event.id) || c.event.created < s.stripe_last_event_at) return [];
  const at = now.toISOString();
  if (c.kind === 'cancelled')
    return [
      {
        type: 'PremiumCancelled',
        data: { user_id: s.user_id, valid_until: c.period_end, subscription_id: c.subscription_id, at, stripe_event: c.event },
      },
    ];
  if (!c.period_end) return [];
  return s.subscription_tier === 'PREMIUM' && !s.premium_cancelled
    ? [
        {
          type: 'PremiumExtended',
          data: { user_id: s.user_id, valid_until: c.period_end, subscription_id: c.subscription_id, at, stripe_event: c.event },
        },
      ]
    : [
        {
          type: 'PremiumActivated',
          data: {
            user_id: s.user_id,
            valid_until: c.period_end,
            source: 'stripe',
            subscription_id: c.subscription_id,
            at,
            stripe_event: c.event,
          },
        },
      ];
}

/** The player asks to stop: FREE at the end of the paid period; premium_valid_until is kept. */
export function decideDowngrade(s: IndividualState, now: Date): IndividualEvent[] {
  if (!s.exists) throw notFound('individual_context_not_found', 'You have no individual player profile yet (POST /me/individual-context).');
  if (s.subscription_tier !== 'PREMIUM' || s.premium_cancelled) return [];
  return [
    {
      type: 'PremiumCancelled',
      data: {
        user_id: s.user_id,
        valid_until: s.premium_valid_until,
        subscription_id: s.stripe_subscription_id,
        at: now.toISOString(),
        stripe_event: null,
      },
    },
  ];
}
