import { AggregateRepository, type DomainEvent } from '../../eventstore/aggregate-repository.js';
import { conflict } from '../../shared/errors.js';
import { emailStream } from '../login/log-in.handler.js';

type ReservationEvent = DomainEvent<'EmailReserved', { user_id: string }> | DomainEvent<'EmailReleased', { user_id: string }>;
interface Reservation {
  owner: string | null;
}
const reservationEvolver = {
  initialState: (): Reservation => ({ owner: null }),
  evolve: (_s: Reservation, e: ReservationEvent): Reservation => ({ owner: e.type === 'EmailReserved' ? e.data.user_id : null }),
};

/**
 * Claims a normalised e-mail for a user on its reservation stream (expected version: two claims
 * at once cannot both win). A free or released address is taken; one owned by someone else is a
 * 409 email_taken. Answers the position of the claim (0 if the user already owned it).
 */
export async function reserveEmail(repo: AggregateRepository, email: string, userId: string): Promise<number> {
  const r = await repo.execute<Reservation, ReservationEvent>(
    emailStream(email),
    reservationEvolver,
    (s) => {
      if (s.owner === userId) return [];
      if (s.owner) throw conflict('email_taken', 'This e-mail address belongs to another account.');
      return [{ type: 'EmailReserved', data: { user_id: userId } }];
    },
    { retryOnConflict: true },
  );
  return r.position;
}

/** Frees an address its owner moved away from, so it no longer signs anyone in. */
export async function releaseEmail(repo: AggregateRepository, email: string, userId: string): Promise<number> {
  const r = await repo.execute<Reservation, ReservationEvent>(emailStream(email), reservationEvolver, (s) =>
    s.owner === userId ? [{ type: 'EmailReleased', data: { user_id: userId } }] : [],
  );
  return r.position;
}
