import { defineProjection } from '../src/projections-runtime/projection.js';
import type {
  CorporateEventEvent,
  CorporateEventRequest,
  CorporateEventStatus,
} from '../src/chain/corporate-events/corporate-event.decider.js';

/**
 * Corporate events of chains (F02.09.04), one document per event (id = corporate event id). The
 * contact e-mail is kept as given; answers mask it for everyone but the chain's admins.
 */
export interface CorporateEventView extends CorporateEventRequest {
  id: string;
  corporate_event_id: string;
  chain_id: string;
  status: CorporateEventStatus;
  quote_amount: number | null;
  quote_currency: string | null;
  quote_valid_until: string | null;
  requested_at: string;
  updated_at: string;
  last_position: number;
  [k: string]: unknown;
}

export const chainCorporateEventsProjection = defineProjection({
  name: 'chain_corporate_events',
  collections: [
    {
      name: 'chain_corporate_events',
      indexes: [
        { fields: ['chain_id', 'event_date'] },
        { fields: ['chain_id', 'status', 'event_date'] },
        { fields: ['host_venue_tenant_id', 'event_date'] },
        { fields: ['status', 'quote_valid_until'] },
      ],
    },
  ],
  handles: [
    'CorporateEventRequested',
    'CorporateEventQuoted',
    'CorporateEventBooked',
    'CorporateEventCompleted',
    'CorporateEventCancelled',
    'CorporateEventExpired',
  ],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as CorporateEventEvent;
    const docs = tx.collection<CorporateEventView>('chain_corporate_events');
    const doc = await docs.get(e.data.corporate_event_id);
    if (e.type === 'CorporateEventRequested') {
      if (doc) return;
      const { requested_by: _b, ...d } = e.data;
      await docs.upsert({
        id: d.corporate_event_id,
        ...d,
        status: 'INQUIRY',
        quote_amount: null,
        quote_currency: null,
        quote_valid_until: null,
        updated_at: d.requested_at,
        last_position: event.position,
      });
      return;
    }
    // guard by position: an event applied twice changes nothing
    if (!doc || doc.last_position >= event.position) return;
    const set: Partial<CorporateEventView> = { last_position: event.position };
    switch (e.type) {
      case 'CorporateEventQuoted':
        Object.assign(set, {
          status: 'QUOTED',
          updated_at: e.data.quoted_at,
          quote_amount: e.data.quote_amount,
          quote_currency: e.data.quote_currency,
          quote_valid_until: e.data.quote_valid_until,
        });
        break;
      case 'CorporateEventBooked':
        Object.assign(set, { status: 'BOOKED', updated_at: e.data.booked_at });
        break;
      case 'CorporateEventCompleted':
        Object.assign(set, { status: 'COMPLETED', updated_at: e.data.completed_at });
        break;
      case 'CorporateEventCancelled':
        Object.assign(set, { status: 'CANCELLED', updated_at: e.data.cancelled_at });
        break;
      case 'CorporateEventExpired':
        Object.assign(set, { status: 'EXPIRED', updated_at: e.data.expired_at });
        break;
      default: {
        const never: never = e;
        return never;
      }
    }
    await docs.patch(doc.id, { set });
  },
});
