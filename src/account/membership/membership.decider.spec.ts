import { userEvolver, type UserEvent } from '../../identity/users/user.decider.js';
import { decideDeactivate, decideEndMembership, decideReactivate } from './membership.decider.js';

const given = (events: UserEvent[]) => events.reduce(userEvolver.evolve, userEvolver.initialState());
const registered: UserEvent = {
  type: 'UserRegistered',
  data: { user_id: 'u1', email: 'a@b.test', display_name: 'A', language: 'en', password_hash: 'h' },
};
const member = (tenant_id: string, roles: string[]): UserEvent => ({
  type: 'MembershipGranted',
  data: { user_id: 'u1', tenant_id, roles },
});
const codeOf = (f: () => unknown) => {
  try {
    f();
    return null;
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('membership and deactivation deciders', () => {
  it('ends a membership, keeps the others, and the tenant is gone from the login order', () => {
    const s = given([registered, member('t1', ['member']), member('t2', ['member'])]);
    const events = decideEndMembership(s, 't1', 'admin', 1);
    expect(events).toEqual([
      { type: 'MembershipEnded', data: { user_id: 'u1', tenant_id: 't1', roles: ['member'], by: 'admin', reason: 'removed' } },
    ]);
    const after = given([registered, member('t1', ['member']), member('t2', ['member']), ...events]);
    expect(after.memberships).toEqual({ t2: ['member'] });
    expect(after.tenant_order).toEqual(['t2']);
    expect(codeOf(() => decideEndMembership(after, 't1', 'admin', 1))).toBe('member_not_found');
  });

  it('refuses to remove the last admin, and allows it when another admin remains', () => {
    const s = given([registered, member('t1', ['tenant_admin'])]);
    expect(codeOf(() => decideEndMembership(s, 't1', 'u1', 0))).toBe('last_admin');
    expect(decideEndMembership(s, 't1', 'u1', 1)).toHaveLength(1);
  });

  it('never looks up a prototype key as a tenant', () => {
    expect(codeOf(() => decideEndMembership(given([registered]), 'constructor', 'a', 1))).toBe('member_not_found');
  });

  it('deactivates and reactivates once each; an operator cannot deactivate themselves', () => {
    const s = given([registered]);
    const off = decideDeactivate(s, 'op', 'left the federation');
    expect(off).toEqual([{ type: 'UserDeactivated', data: { user_id: 'u1', by: 'op', reason: 'left the federation' } }]);
    const deactivated = given([registered, ...off]);
    expect(deactivated.active).toBe(false);
    expect(decideDeactivate(deactivated, 'op', 'again')).toEqual([]);
    expect(decideReactivate(deactivated, 'op')).toEqual([{ type: 'UserReactivated', data: { user_id: 'u1', by: 'op' } }]);
    expect(decideReactivate(s, 'op')).toEqual([]);
    expect(codeOf(() => decideDeactivate(s, 'u1', 'x'))).toBe('cannot_deactivate_self');
  });
});
