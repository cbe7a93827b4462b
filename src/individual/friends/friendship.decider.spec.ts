import { DomainError } from '../../shared/errors.js';
import {
  decideAccept,
  decideBlock,
  decideEnd,
  decideRequest,
  friendshipEvolver,
  REQUEST_TTL_MS,
  type FriendshipEvent,
} from './friendship.decider.js';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const given = (...e: FriendshipEvent[]) => e.reduce(friendshipEvolver.evolve, friendshipEvolver.initialState());
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return null;
};

describe('friendship decider', () => {
  it('request -> only the addressee accepts; a second request is 409', () => {
    const [r] = decideRequest(given(), 'a', 'b', NOW);
    expect(code(() => decideAccept(given(r!), 'a', 'b', NOW))).toBe('friend_request_not_found');
    expect(code(() => decideRequest(given(r!), 'b', 'a', NOW))).toBe('friend_request_exists');
    const [acc] = decideAccept(given(r!), 'b', 'a', NOW);
    expect(given(r!, acc!).status).toBe('ACCEPTED');
  });
  it('a request older than 30 days is gone: it cannot be accepted and may be made again', () => {
    const [r] = decideRequest(given(), 'a', 'b', NOW);
    const later = new Date(NOW.getTime() + REQUEST_TTL_MS);
    expect(code(() => decideAccept(given(r!), 'b', 'a', later))).toBe('friend_request_not_found');
    expect(decideRequest(given(r!), 'b', 'a', later)).toHaveLength(1);
  });
  it('a block hides the blocker from the blocked: no request, no unblock by them; the blocker unblocks', () => {
    const [r] = decideRequest(given(), 'a', 'b', NOW);
    const [bl] = decideBlock(given(r!), 'b', 'a', NOW);
    expect(code(() => decideRequest(given(r!, bl!), 'a', 'b', NOW))).toBe('player_not_found');
    expect(code(() => decideRequest(given(r!, bl!), 'b', 'a', NOW))).toBe('player_blocked');
    expect(code(() => decideEnd(given(r!, bl!), 'a', 'b', NOW))).toBe('friendship_not_found');
    expect(code(() => decideBlock(given(r!, bl!), 'a', 'b', NOW))).toBe('player_not_found');
    expect(decideBlock(given(r!, bl!), 'b', 'a', NOW)).toEqual([]);
    expect(decideEnd(given(r!, bl!), 'b', 'a', NOW)[0]).toMatchObject({ type: 'FriendshipEnded', data: { was: 'BLOCKED' } });
  });
});
