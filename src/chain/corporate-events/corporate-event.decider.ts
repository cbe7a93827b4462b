import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict } from '../../shared/errors.js';

/**
 * Corporate events (F02.09.04): one stream per event, `chain-corporate-event-{id}`.
 * INQUIRY -> QUOTED (with the quote) -> BOOKED -> COMPLETED; CANCELLED from any open state
 * (INQUIRY, QUOTED, BOOKED); EXPIRED only by the expiry job, for a quote not booked before its
 * `quote_valid_until`. Everything else is 409 invalid_transition naming both states.
 * `company_name` and `contact_email` stay plain named fields of the payload (personal data that
 * the event-encryption layer seals field by field).
 */
export const CORPORATE_EVENT_STATUSES = ['INQUIRY', 'QUOTED', 'BOOKED', 'COMPLETED', 'CANCELLED', 'EXPIRED'] as const;
export type CorporateEventStatus = (typeof CORPORATE_EVENT_STATUSES)[number];
export const OPEN_STATUSES: readonly CorporateEventStatus[] = ['INQUIRY', 'QUOTED', 'BOOKED'];

export interface Quote {
  quote_amount: number;
  quote_currency: string;
  quote_valid_until: string;
}

interface Ids {
  corporate_event_id: string;
  chain_id: string;
}
/** What a chain admin asks for (POST body, after normalisation). */
export interface CorporateEventRequest {
  company_name: string;
  contact_email: string;
  host_venue_tenant_id: string;
  event_date: string;
  guests: number;
  notes: string | null;
}
export type CorporateEventEvent =
  | DomainEvent<'CorporateEventRequested', Ids & CorporateEventRequest & { requested_by: string; requested_at: string }>
  | DomainEvent<'CorporateEventQuoted', Ids & Quote & { quoted_by: string; quoted_at: string }>
  | DomainEvent<'CorporateEventBooked', Ids & { booked_by: string; booked_at: string }>
  | DomainEvent<'CorporateEventCompleted', Ids & { completed_by: string; completed_at: string }>
  | DomainEvent<'CorporateEventCancelled', Ids & { previous_status: CorporateEventStatus; cancelled_by: string; cancelled_at: string }>
  | DomainEvent<'CorporateEventExpired', Ids & { quote_valid_until: string; expired_at: string }>;

export interface CorporateEventState {
  exists: boolean;
  corporate_event_id: string;
  chain_id: string | null;
  status: CorporateEventStatus;
  host_venue_tenant_id: string;
  event_date: string;
  quote: Quote | null;
}

export const corporateEventStream = (id: string) => `chain-corporate-event-${id}`;

const STATUS_AFTER: Record<Exclude<CorporateEventEvent['type'], 'CorporateEventRequested'>, CorporateEventStatus> = {
  CorporateEventQuoted: 'QUOTED',
  CorporateEventBooked: 'BOOKED',
  CorporateEventCompleted: 'COMPLETED',
  CorporateEventCancelled: 'CANCELLED',
  CorporateEventExpired: 'EXPIRED',
};

export const corporateEventEvolver = {
  initialState: (): CorporateEventState => ({
    exists: false,
    corporate_event_id: '',
    chain_id: null,
    status: 'INQUIRY',
    host_venue_tenant_id: '',
    event_date: '',
    quote: null,
  }),
  evolve: (s: CorporateEventState, e: CorporateEventEvent): CorporateEventState => {
    if (e.type === 'CorporateEventRequested')
      return {
        exists: true,
        corporate_event_id: e.data.corporate_event_id,
        chain_id: e.data.chain_id,
        status: 'INQUIRY',
        host_venue_tenant_id: e.data.host_venue_tenant_id,
        event_date: e.data.event_date,
        quote: null,
      };
    const next = { ...s, status: STATUS_AFTER[e.type] };
    if (e.type === 'CorporateEventQuoted')
      next.quote = {
        quote_amount: e.data.quote_amount,
        quote_currency: e.data.quote_currency,
        quote_valid_until: e.data.quote_valid_until,
      };
    return next;
  },
};

const today = (now: Date) => now.toISOString().slice(0, 10);
const hostNotActive = (venueId: string, date: string) =>
  conflict('host_venue_not_active_member', `The host venue ${venueId} holds no ACTIVE membership of this chain on ${date}.`, {
    host_venue_tenant_id: venueId,
  });

export function decideRequest(
  s: CorporateEventState,
  cmd: Ids &
    CorporateEventRequest & {
      host_active_on_date: boolean;
      by: string;
      now: Date;
    },
): CorporateEventEvent[] {
  if (s.exists) throw conflict('corporate_event_exists', 'This corporate event already exists.');
  if (cmd.event_date < today(cmd.now))
    throw badRequest('validation_failed', 'event_date must be today or later', { errors: ['event_date must be today or later'] });
  if (!cmd.host_active_on_date) throw hostNotActive(cmd.host_venue_tenant_id, cmd.event_date);
  const { host_active_on_date: _a, by, now, ...data } = cmd;
  return [{ type: 'CorporateEventRequested', data: { ...data, requested_by: by, requested_at: now.toISOString() } }];
}

export type TransitionTarget = CorporateEventStatus;

/** Which PATCH moves are legal from where (EXPIRED is the job's, INQUIRY is where an event starts). */
const LEGAL: Record<CorporateEventStatus, readonly CorporateEventStatus[]> = {
  INQUIRY: ['QUOTED', 'CANCELLED'],
  QUOTED: ['BOOKED', 'CANCELLED'],
  BOOKED: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
  EXPIRED: [],
};

export function decideTransition(
  s: CorporateEventState,
  cmd: { to: CorporateEventStatus; quote: Quote | null; host_active_on_date: boolean; by: string; now: Date },
): CorporateEventEvent[] {
  const ids = { corporate_event_id: s.corporate_event_id, chain_id: s.chain_id! };
  if (!LEGAL[s.status].includes(cmd.to))
    throw conflict('invalid_transition', `A corporate event cannot move from ${s.status} to ${cmd.to}.`, { from: s.status, to: cmd.to });
  const at = cmd.now.toISOString();
  switch (cmd.to) {
    case 'QUOTED': {
      const q = cmd.quote!;
      if (q.quote_valid_until <= at)
        throw badRequest('validation_failed', 'quote_valid_until must be in the future', {
          errors: ['quote_valid_until must be in the future'],
        });
      if (!cmd.host_active_on_date) throw hostNotActive(s.host_venue_tenant_id, s.event_date);
      return [{ type: 'CorporateEventQuoted', data: { ...ids, ...q, quoted_by: cmd.by, quoted_at: at } }];
    }
    case 'BOOKED':
      // a quote past its validity cannot be booked, even before the expiry job has run
      if (at >= s.quote!.quote_valid_until)
        throw conflict('quote_expired', `The quote was valid until ${s.quote!.quote_valid_until}.`, {
          quote_valid_until: s.quote!.quote_valid_until,
        });
      if (!cmd.host_active_on_date) throw hostNotActive(s.host_venue_tenant_id, s.event_date);
      return [{ type: 'CorporateEventBooked', data: { ...ids, booked_by: cmd.by, booked_at: at } }];
    case 'COMPLETED':
      if (today(cmd.now) < s.event_date) throw conflict('event_not_held_yet', `The event takes place on ${s.event_date}.`);
      return [{ type: 'CorporateEventCompleted', data: { ...ids, completed_by: cmd.by, completed_at: at } }];
    case 'CANCELLED':
      return [{ type: 'CorporateEventCancelled', data: { ...ids, previous_status: s.status, cancelled_by: cmd.by, cancelled_at: at } }];
    default:
      throw new Error(`unreachable: ${cmd.to}`);
  }
}

/** The job's move: a quote not booked before quote_valid_until expires; anything else is left alone. */
export function decideExpire(s: CorporateEventState, now: Date): CorporateEventEvent[] {
  if (!s.exists || s.status !== 'QUOTED' || now.toISOString() < s.quote!.quote_valid_until) return [];
  return [
    {
      type: 'CorporateEventExpired',
      data: {
        corporate_event_id: s.corporate_event_id,
        chain_id: s.chain_id!,
        quote_valid_until: s.quote!.quote_valid_until,
        expired_at: now.toISOString(),
      },
    },
  ];
}
