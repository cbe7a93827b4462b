import { conflict, notFound } from '../../shared/errors.js';
import type { UserEvent, UserState } from '../../identity/users/user.decider.js';

/** Erasure closes the account for good; an operator cannot erase themselves. Repeating it appends nothing. */
export function decideErase(s: UserState, by: string, reason: string): UserEvent[] {
  if (!s.exists) throw notFound('user_not_found', 'No such user.');
  if (s.user_id === by) throw conflict('cannot_erase_self', 'An operator cannot erase their own account.');
  if (s.erased) return [];
  return [{ type: 'PersonalDataErased', data: { user_id: s.user_id, by, reason } }];
}
