import { codeOf } from '../../../test/support/domain-error.js';
import {
  corporateEventEvolver,
  decideExpire,
  decideRequest,
  decideTransition,
  type CorporateEventEvent,
  type CorporateEventState,
} from './corporate-event.decider.js';

const NOW = new Date('2026-06-01T08:00:00.000Z');
const request = {
  corporate_event_id: 'e',
  chain_id: 'c',
  company_name: 'Acme AB',
  contact_email: 'buyer@acme.example',
  host_venue_tenant_id: 'v',
  event_date: '2026-06-20',
  guests: 40,
  notes: null,
  host_active_on_date: true,
  by: 'admin',
  now: NOW,
};
const given = (events: CorporateEventEvent[]): CorporateEventState =>
  events.reduce(corporateEventEvolver.evolve, corporateEventEvolver.initialState());
const quote = { quote_amount: 1000, quote_currency: 'SEK', quote_valid_until: '2026-06-02T08:00:00.000Z' };
const move = (s: CorporateEventState, to: Parameters<typeof decideTransition>[1]['to'], now = NOW, active = true) =>
  decideTransition(s, { to, quote: to === 'QUOTED' ? quote : null, host_active_on_date: active, by: 'admin', now });

describe('corporate event decider', () => {
  const requested = decideRequest(corporateEventEvolver.initialState(), request);
  const inquiry = given(requested);
  const quoted = given([...requested, ...move(inquiry, 'QUOTED')]);

  it('given nothing, when requested for an active host venue, then CorporateEventRequested with the contact as a plain field', () => {
    expect(requested).toEqual([
      {
        type: 'CorporateEventRequested',
        data: expect.objectContaining({ corporate_event_id: 'e', contact_email: 'buyer@acme.example', company_name: 'Acme AB' }),
      },
    ]);
    expect(codeOf(() => decideRequest(corporateEventEvolver.initialState(), { ...request, host_active_on_date: false }))).toBe(
      'host_venue_not_active_member',
    );
    expect(codeOf(() => decideRequest(corporateEventEvolver.initialState(), { ...request, event_date: '2026-05-31' }))).toBe(
      'validation_failed',
    );
  });

  it('given a quote, the expiry decides by quote_valid_until only', () => {
    expect(decideExpire(quoted, new Date('2026-06-02T07:59:59.999Z'))).toEqual([]);
    expect(decideExpire(quoted, new Date('2026-06-02T08:00:00.000Z'))).toEqual([
      {
        type: 'CorporateEventExpired',
        data: expect.objectContaining({ corporate_event_id: 'e', quote_valid_until: quote.quote_valid_until }),
      },
    ]);
    expect(decideExpire(inquiry, new Date('2027-01-01T00:00:00Z'))).toEqual([]);
    const booked = given([...requested, ...move(inquiry, 'QUOTED'), ...move(quoted, 'BOOKED')]);
    expect(decideExpire(booked, new Date('2027-01-01T00:00:00Z'))).toEqual([]);
  });

  it('booking needs a valid quote and an active host; completing waits for the event day', () => {
    expect(codeOf(() => move(quoted, 'BOOKED', new Date('2026-06-02T08:00:00.000Z')))).toBe('quote_expired');
    expect(codeOf(() => move(quoted, 'BOOKED', NOW, false))).toBe('host_venue_not_active_member');
    const booked = given([...requested, ...move(inquiry, 'QUOTED'), ...move(quoted, 'BOOKED')]);
    expect(codeOf(() => move(booked, 'COMPLETED', new Date('2026-06-19T23:59:59Z')))).toBe('event_not_held_yet');
    expect(move(booked, 'COMPLETED', new Date('2026-06-20T00:00:00Z'))[0]!.type).toBe('CorporateEventCompleted');
    expect(move(booked, 'CANCELLED')[0]!.data).toMatchObject({ previous_status: 'BOOKED' });
  });
});
