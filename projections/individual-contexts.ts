import { defineProjection } from '../src/projections-runtime/projection.js';
import type { IndividualEvent, IndividualState } from '../src/individual/profile/individual.decider.js';

/** IndividualContexts (F02.08), one document per user (the id is the user id, so unique). */
export type IndividualContextView = Omit<IndividualState, 'exists'> & {
  id: string;
  created_at: string;
  updated_at: string;
  last_position: number;
  [k: string]: unknown;
};

export const individualContextsProjection = defineProjection({
  name: 'individual_contexts',
  collections: [{ name: 'individual_contexts', indexes: [{ fields: ['tenant_id'] }, { fields: ['stripe_customer_id'] }] }],
  handles: [
    'IndividualSignedUp',
    'IndividualProfileUpdated',
    'PremiumActivated',
    'PremiumExtended',
    'PremiumCancelled',
    'StripeCustomerLinked',
  ],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as IndividualEvent;
    const docs = tx.collection<IndividualContextView>('individual_contexts');
    if (e.type === 'IndividualSignedUp') {
      if (await docs.get(e.data.user_id)) return;
      await docs.upsert({
        id: e.data.user_id,
        user_id: e.data.user_id,
        tenant_id: e.data.tenant_id,
        display_name: e.data.display_name,
        country: e.data.country,
        language: e.data.language,
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
        created_at: event.occurred_at,
        updated_at: event.occurred_at,
        last_position: event.position,
      });
      return;
    }
    const doc = await docs.get(e.data.user_id);
    if (!doc || doc.last_position >= event.position) return;
    const set =
      e.type === 'PremiumActivated' || e.type === 'PremiumExtended'
        ? {
            subscription_tier: 'PREMIUM',
            premium_valid_until: e.data.valid_until,
            premium_cancelled: false,
            ...(e.data.subscription_id ? { stripe_subscription_id: e.data.subscription_id } : {}),
          }
        : e.type === 'PremiumCancelled'
          ? { premium_cancelled: true, ...(e.data.valid_until ? { premium_valid_until: e.data.valid_until } : {}) }
          : e.type === 'StripeCustomerLinked'
            ? { stripe_customer_id: e.data.customer_id }
            : { ...e.data.changes };
    await docs.patch(doc.id, { set: { ...set, updated_at: event.occurred_at, last_position: event.position } });
  },
});
