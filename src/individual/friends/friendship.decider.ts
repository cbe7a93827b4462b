import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict, notFound } from '../../shared/errors.js';

/** Friends (F02.08.03): one relationship per pair of players, on one stream per pair. */
export const REQUEST_TTL_MS = 30 * 86_400_000;

export type FriendshipEvent =
  | DomainEvent<'FriendRequested', { pair: string; from: string; to: string; at: string; expires_at: string }>
  | DomainEvent<'FriendRequestAccepted', { pair: string; by: string; other: string; at: string }>
  | DomainEvent<'FriendshipEnded', { pair: string; by: string; other: string; was: 'PENDING' | 'ACCEPTED' | 'BLOCKED'; at: string }>
  | DomainEvent<'PlayerBlocked', { pair: string; by: string; other: string; was: 'NONE' | 'PENDING' | 'ACCEPTED'; at: string }>;

export interface FriendshipState {
  status: 'NONE' | 'PENDING' | 'ACCEPTED' | 'BLOCKED';
  from: string | null;
  to: string | null;
  expires_at: number;
  blocked_by: string | null;
}

export const pairKey = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);
export const friendshipStream = (a: string, b: string) => `friendship-${pairKey(a, b)}`;

export const friendshipEvolver = {
  initialState: (): FriendshipState => ({ status: 'NONE', from: null, to: null, expires_at: 0, blocked_by: null }),
  evolve(s: FriendshipState, e: FriendshipEvent): FriendshipState {
    switch (e.type) {
      case 'FriendRequested':
        return { status: 'PENDING', from: e.data.from, to: e.data.to, expires_at: Date.parse(e.data.expires_at), blocked_by: null };
      case 'FriendRequestAccepted':
        return { ...s, status: 'ACCEPTED' };
      case 'FriendshipEnded':
        return { status: 'NONE', from: null, to: null, expires_at: 0, blocked_by: null };
      case 'PlayerBlocked':
        return { status: 'BLOCKED', from: null, to: null, expires_at: 0, blocked_by: e.data.by };
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

/** The status as of now: a pending request older than 30 days is gone. */
export const effective = (s: FriendshipState, now: number): FriendshipState['status'] =>
  s.status === 'PENDING' && now >= s.expires_at ? 'NONE' : s.status;

const hidden = () => notFound('player_not_found', 'No such player.');

export function decideRequest(s: FriendshipState, me: string, other: string, now: Date): FriendshipEvent[] {
  if (me === other) throw badRequest('validation_failed', 'user_id must be another player', { errors: ['user_id must be another player'] });
  const st = effective(s, now.getTime());
  if (st === 'BLOCKED') throw s.blocked_by === me ? conflict('player_blocked', 'You blocked this player; unblock first.') : hidden();
  if (st === 'ACCEPTED') throw conflict('already_friends', 'You are already friends.');
  if (st === 'PENDING')
    throw conflict('friend_request_exists', s.from === me ? 'Your request is pending.' : 'This player already asked you; accept it.');
  const pair = pairKey(me, other);
  return [
    {
      type: 'FriendRequested',
      data: { pair, from: me, to: other, at: now.toISOString(), expires_at: new Date(now.getTime() + REQUEST_TTL_MS).toISOString() },
    },
  ];
}

export function decideAccept(s: FriendshipState, me: string, other: string, now: Date): FriendshipEvent[] {
  if (effective(s, now.getTime()) !== 'PENDING' || s.to !== me)
    throw notFound('friend_request_not_found', 'No pending request from this player to you.');
  return [{ type: 'FriendRequestAccepted', data: { pair: pairKey(me, other), by: me, other, at: now.toISOString() } }];
}

/** Either side may block, whatever the state; a block by the other side is not undone by mine. */
export function decideBlock(s: FriendshipState, me: string, other: string, now: Date): FriendshipEvent[] {
  if (me === other) throw badRequest('validation_failed', 'user_id must be another player', { errors: ['user_id must be another player'] });
  const st = effective(s, now.getTime());
  if (st === 'BLOCKED') {
    if (s.blocked_by === me) return [];
    throw hidden();
  }
  return [{ type: 'PlayerBlocked', data: { pair: pairKey(me, other), by: me, other, was: st, at: now.toISOString() } }];
}

/** Cancel my request, decline theirs, unfriend, or unblock (only the blocker). */
export function decideEnd(s: FriendshipState, me: string, other: string, now: Date): FriendshipEvent[] {
  const st = effective(s, now.getTime());
  if (st === 'NONE' || (st === 'BLOCKED' && s.blocked_by !== me))
    throw notFound('friendship_not_found', 'No relationship with this player.');
  return [{ type: 'FriendshipEnded', data: { pair: pairKey(me, other), by: me, other, was: st, at: now.toISOString() } }];
}
