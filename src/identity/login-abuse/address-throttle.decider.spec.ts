import {
  addressRefusal,
  addressThrottleEvolver,
  decideAddressFailure,
  throttleAddress,
  windowOf,
  type AddressThrottleEvent,
  type AddressWindow,
} from './address-throttle.decider.js';

const w: AddressWindow = {
  address_key: 'k',
  address: '203.0.113.7',
  start: windowOf(Date.parse('2026-03-02T08:05:00Z'), 900),
  seconds: 900,
};
const limits = { max: 3, sprayMinAccounts: 2 };
const given = (events: AddressThrottleEvent[]) => events.reduce(addressThrottleEvolver.evolve, addressThrottleEvolver.initialState());

describe('address throttle decider', () => {
  it('windows start on a multiple of their length', () => {
    expect(new Date(w.start).toISOString()).toBe('2026-03-02T08:00:00.000Z');
  });

  it('counts failures across accounts and refuses once the limit is reached, until the window ends', () => {
    const events: AddressThrottleEvent[] = [];
    for (const account of ['a', 'b', 'c']) {
      expect(addressRefusal(given(events), 0, limits.max, w, w.start + 60_000)).toBeNull();
      events.push(...decideAddressFailure(given(events), w, account, limits));
    }
    const s = given(events);
    expect(s.failures).toBe(3);
    expect(addressRefusal(s, 0, limits.max, w, w.start + 60_000)).toBe(840);
  });

  it('counts attempts in flight against the limit (a parallel burst is not all evaluated)', () => {
    expect(addressRefusal(given([]), 3, limits.max, w, w.start)).toBe(900);
    expect(addressRefusal(given([]), 2, limits.max, w, w.start)).toBeNull();
  });

  it('raises the spraying alarm once, on the failure that reaches the limit, only when it spans accounts', () => {
    const events: AddressThrottleEvent[] = [];
    for (const account of ['a', 'b', 'a']) events.push(...decideAddressFailure(given(events), w, account, limits));
    expect(events.map((e) => e.type)).toEqual([
      'LoginFailedFromAddress',
      'LoginFailedFromAddress',
      'LoginFailedFromAddress',
      'PasswordSprayingSuspected',
    ]);
    expect(events[3]!.data).toMatchObject({ failures: 3, distinct_accounts: 2, address: '203.0.113.7', window_seconds: 900 });
    expect(decideAddressFailure(given(events), w, 'c', limits).map((e) => e.type)).toEqual(['LoginFailedFromAddress']);

    const oneAccount: AddressThrottleEvent[] = [];
    for (let i = 0; i < 3; i++) oneAccount.push(...decideAddressFailure(given(oneAccount), w, 'a', limits));
    expect(oneAccount.map((e) => e.type)).not.toContain('PasswordSprayingSuspected');
  });

  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(throttleAddress('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(throttleAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
    expect(throttleAddress(null)).toBe('unknown');
  });
});
