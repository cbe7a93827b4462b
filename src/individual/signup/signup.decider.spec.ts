import { challengeEvolver, decideCode, MAX_PER_ADDRESS_PER_HOUR, retryAfterMs, type SignupEvent } from './signup.decider.js';

const NOW = Date.parse('2026-03-02T08:00:00.000Z');
const issued: SignupEvent = {
  type: 'IndividualSignupCodeIssued',
  data: {
    challenge_id: 'c1',
    address_key: 'k',
    email: 'p@x.test',
    code_hash: 'good',
    password_hash: 'h',
    expires_at: new Date(NOW + 600_000).toISOString(),
    display_name: 'P',
    country: 'SE',
    language: 'en',
  },
};
const given = (...events: SignupEvent[]) => events.reduce(challengeEvolver.evolve, challengeEvolver.initialState());

describe('signup code decider', () => {
  it('given an issued code, the right hash passes with no events', () => {
    expect(decideCode(given(issued), 'good', NOW)).toEqual({ events: [], problem: null });
  });
  it('wrong codes count; the fifth locks, and a locked code refuses even the right one', () => {
    let s = given(issued);
    for (let i = 1; i <= 5; i++) {
      const d = decideCode(s, 'bad', NOW);
      expect(d.problem).toBe(i < 5 ? 'invalid_code' : 'code_locked');
      s = d.events.reduce(challengeEvolver.evolve, s);
    }
    expect(decideCode(s, 'good', NOW)).toEqual({ events: [], problem: 'code_locked' });
  });
  it('expired at exactly 10 minutes; used once; unknown challenge is invalid', () => {
    expect(decideCode(given(issued), 'good', NOW + 600_000).problem).toBe('code_expired');
    expect(
      decideCode(given(issued, { type: 'IndividualSignupCompleted', data: { challenge_id: 'c1', tenant_id: 't' } }), 'good', NOW).problem,
    ).toBe('invalid_code');
    expect(decideCode(given(), 'good', NOW).problem).toBe('invalid_code');
  });
  it('address limit: 3 in the sliding hour, then a wait until the oldest leaves it', () => {
    const times = [NOW - 3_000_000, NOW - 60_000, NOW - 1000];
    expect(MAX_PER_ADDRESS_PER_HOUR).toBe(3);
    expect(retryAfterMs({ times: times.slice(0, 1), latest: null }, { times: times.slice(1, 2), latest: null }, NOW)).toBeNull();
    expect(retryAfterMs({ times: times.slice(0, 1), latest: null }, { times: times.slice(1), latest: null }, NOW)).toBe(600_000);
    expect(retryAfterMs({ times: [NOW - 3_700_000], latest: null }, { times: times.slice(1), latest: null }, NOW)).toBeNull();
  });
});
