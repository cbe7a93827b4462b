import {
  backoffSeconds,
  evolveBruteForce,
  failureEvents,
  initialBruteForce,
  LOCK_AFTER,
  refusal,
  type BruteForceEvent,
} from './brute-force.decider.js';

const base = { key: 'k', scope: 'mfa' as const, user_id: 'u', factor: 'totp' };
const replay = (events: BruteForceEvent[]) => events.reduce(evolveBruteForce, initialBruteForce());

describe('brute-force decider', () => {
  it('backs off 1, 2, 4, 8, 16, then 30 s (cap)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(backoffSeconds)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });

  it('given a failure at t, when an attempt comes before t+1s, then it is refused with Retry-After', () => {
    const t = Date.parse('2026-01-01T00:00:00Z');
    const s = replay(failureEvents(initialBruteForce(), base, t));
    expect(refusal(s, t + 500)).toEqual({ kind: 'wait', retryAfterSeconds: 1 });
    expect(refusal(s, t + 1000)).toBeNull();
  });

  it('given a claimed attempt in flight, then a parallel attempt is refused', () => {
    const s = replay([{ type: 'AttemptClaimed', data: { ...base, at: '2026-01-01T00:00:00.000Z' } }]);
    expect(refusal(s, Date.parse('2026-01-01T00:00:00.100Z'))).toEqual({ kind: 'wait', retryAfterSeconds: 1 });
    expect(refusal(s, Date.parse('2026-01-01T00:00:11Z'))).toBeNull(); // a crashed claim expires
  });

  it('given success, then the counter resets', () => {
    let s = replay(failureEvents(initialBruteForce(), base, 0));
    s = evolveBruteForce(s, { type: 'AttemptSucceeded', data: { ...base, previous_failures: 1 } });
    expect(s.failures).toBe(0);
    expect(refusal(s, 1)).toBeNull();
  });

  it(`locks the credential at ${LOCK_AFTER} consecutive failures`, () => {
    let s = initialBruteForce();
    let events: BruteForceEvent[] = [];
    for (let i = 0; i < LOCK_AFTER; i++) {
      events = failureEvents(s, base, i * 60_000);
      s = events.reduce(evolveBruteForce, s);
    }
    expect(events.map((e) => e.type)).toEqual(['AttemptFailed', 'CredentialLocked']);
    expect(refusal(s, 10 ** 12)).toEqual({ kind: 'locked' });
  });
});
