import { codeOf } from '../../../test/support/domain-error.js';
import { decideAccept, decideInvite, decideLeave, venueMembershipEvolver, type ChainMembershipEvent } from './chain-membership.decider.js';

const V = 'venue-1';
const A = 'chain-a';
const B = 'chain-b';
const NOW = new Date('2026-07-01T10:00:00.000Z');
const ev = venueMembershipEvolver(V);
const given = (...events: ChainMembershipEvent[]) => events.reduce(ev.evolve, ev.initialState());
const invited = (chain: string, id: string): ChainMembershipEvent => ({
  type: 'VenueInvited',
  data: { membership_id: id, chain_id: chain, venue_id: V, invited_at: '2026-06-01T00:00:00.000Z', invited_by: 'u' },
});
const joined = (chain: string, id: string): ChainMembershipEvent => ({
  type: 'VenueJoinedChain',
  data: { membership_id: id, chain_id: chain, venue_id: V, joined_at: '2026-06-02T00:00:00.000Z', accepted_by: 'v' },
});
const left = (chain: string, id: string): ChainMembershipEvent => ({
  type: 'VenueLeftChain',
  data: { membership_id: id, chain_id: chain, venue_id: V, left_at: '2026-06-03T00:00:00.000Z', by: 'u', previous_status: 'ACTIVE' },
});

describe('chain membership decider', () => {
  it('given nothing, when a chain invites, then VenueInvited (PENDING)', () => {
    expect(decideInvite(given(), { membership_id: 'm1', chain_id: A, by: 'u', now: NOW })).toEqual([
      { type: 'VenueInvited', data: { membership_id: 'm1', chain_id: A, venue_id: V, invited_at: NOW.toISOString(), invited_by: 'u' } },
    ]);
  });
  it('given a pending or active membership with that chain, a second invitation is refused', () => {
    expect(codeOf(() => decideInvite(given(invited(A, 'm1')), { membership_id: 'm2', chain_id: A, by: 'u', now: NOW }))).toBe(
      'invitation_pending',
    );
    expect(
      codeOf(() => decideInvite(given(invited(A, 'm1'), joined(A, 'm1')), { membership_id: 'm2', chain_id: A, by: 'u', now: NOW })),
    ).toBe('venue_already_in_chain');
  });
  it('given an invitation, when the venue accepts, then VenueJoinedChain for that membership', () => {
    expect(decideAccept(given(invited(A, 'm1')), { chain_id: A, by: 'v', now: NOW })).toEqual([
      { type: 'VenueJoinedChain', data: { membership_id: 'm1', chain_id: A, venue_id: V, joined_at: NOW.toISOString(), accepted_by: 'v' } },
    ]);
  });
  it('accepting without an invitation from that chain is not found', () => {
    expect(codeOf(() => decideAccept(given(invited(B, 'm1')), { chain_id: A, by: 'v', now: NOW }))).toBe('invitation_not_found');
    expect(codeOf(() => decideAccept(given(invited(A, 'm1'), left(A, 'm1')), { chain_id: A, by: 'v', now: NOW }))).toBe(
      'invitation_not_found',
    );
  });
  it('given an ACTIVE membership in chain A, accepting chain B is refused: at most one active chain', () => {
    const s = given(invited(A, 'm1'), joined(A, 'm1'), invited(B, 'm2'));
    expect(codeOf(() => decideAccept(s, { chain_id: B, by: 'v', now: NOW }))).toBe('venue_in_another_chain');
    // after leaving A, B can be accepted
    expect(decideAccept(ev.evolve(s, left(A, 'm1')), { chain_id: B, by: 'v', now: NOW })[0]!.data.membership_id).toBe('m2');
  });
  it('leaving keeps the period; re-inviting starts a new one', () => {
    const s = given(invited(A, 'm1'), joined(A, 'm1'));
    const out = decideLeave(s, { chain_id: A, by: 'u', now: NOW });
    expect(out).toEqual([
      {
        type: 'VenueLeftChain',
        data: { membership_id: 'm1', chain_id: A, venue_id: V, left_at: NOW.toISOString(), by: 'u', previous_status: 'ACTIVE' },
      },
    ]);
    const after = ev.evolve(s, out[0]!);
    expect(after.memberships.m1).toMatchObject({ status: 'INACTIVE', joined_at: '2026-06-02T00:00:00.000Z', left_at: NOW.toISOString() });
    expect(codeOf(() => decideLeave(after, { chain_id: A, by: 'u', now: NOW }))).toBe('membership_not_found');
    expect(decideInvite(after, { membership_id: 'm3', chain_id: A, by: 'u', now: NOW })[0]!.data.membership_id).toBe('m3');
  });
  it('a membership id such as __proto__ names nothing', () => {
    const s = given();
    expect(ev.evolve(s, joined(A, '__proto__'))).toBe(s);
  });
});
