import { DomainError } from '../../shared/errors.js';
import { isPremiumActive } from '../profile/individual.decider.js';
import { casualMatchEvolver, checkMatchInput, decideQuota, decideVerify, type CasualMatchEvent } from './casual-match.decider.js';

const NOW = new Date('2026-05-20T10:00:00.000Z');
const recorded: CasualMatchEvent = {
  type: 'CasualMatchRecorded',
  data: {
    match_id: 'm',
    creator: 'a',
    opponent: 'b',
    played_at: NOW.toISOString(),
    score: { creator: 13, opponent: 3 },
    at: NOW.toISOString(),
    expires_at: new Date(NOW.getTime() + 7 * 86_400_000).toISOString(),
  },
};
const given = (...e: CasualMatchEvent[]) => e.reduce(casualMatchEvolver.evolve, casualMatchEvolver.initialState());
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return null;
};

describe('casual match decider', () => {
  it('scores: exactly one side at 13, the other 0..12', () => {
    for (const [me, opponent] of [
      [13, 0],
      [12, 13],
      [13, 12],
    ])
      expect(code(() => checkMatchInput({ played_at: NOW.toISOString(), score: { me: me!, opponent: opponent! } }, NOW))).toBeNull();
    for (const [me, opponent] of [
      [13, 13],
      [12, 12],
      [14, 0],
      [13, -1],
    ])
      expect(code(() => checkMatchInput({ played_at: NOW.toISOString(), score: { me: me!, opponent: opponent! } }, NOW))).toBe(
        'validation_failed',
      );
  });
  it('quota: the 50th is granted, the 51st is premium_required with the reset at the next UTC month', () => {
    expect(decideQuota({ used: 49 }, 'a', 'm', NOW)).toHaveLength(1);
    try {
      decideQuota({ used: 50 }, 'a', 'm', NOW);
      throw new Error('no');
    } catch (e) {
      expect((e as DomainError).status).toBe(402);
      expect((e as DomainError).extra).toEqual({ limit: 50, used: 50, resets_at: '2026-06-01T00:00:00.000Z' });
    }
  });
  it('verify: only the opponent, once, within 7 days', () => {
    expect(code(() => decideVerify(given(recorded), 'x', 'confirm', NOW))).toBe('casual_match_not_found');
    expect(code(() => decideVerify(given(recorded), 'a', 'confirm', NOW))).toBe('not_the_opponent');
    const [v] = decideVerify(given(recorded), 'b', 'dispute', NOW);
    expect(given(recorded, v!).status).toBe('DISPUTED');
    expect(code(() => decideVerify(given(recorded, v!), 'b', 'confirm', NOW))).toBe('casual_match_already_answered');
    expect(code(() => decideVerify(given(recorded), 'b', 'confirm', new Date(NOW.getTime() + 7 * 86_400_000)))).toBe(
      'casual_match_expired',
    );
  });
  it('premium: active until valid_until, then a grace of exactly 7 days', () => {
    const s = { subscription_tier: 'PREMIUM' as const, premium_valid_until: '2026-06-01T00:00:00.000Z' };
    expect(isPremiumActive(s, new Date('2026-05-31T23:59:59.999Z'))).toEqual({ active: true, grace_until: null });
    expect(isPremiumActive(s, new Date('2026-06-01T00:00:00.000Z'))).toEqual({ active: true, grace_until: '2026-06-08T00:00:00.000Z' });
    expect(isPremiumActive(s, new Date('2026-06-07T23:59:59.999Z')).active).toBe(true);
    expect(isPremiumActive(s, new Date('2026-06-08T00:00:00.000Z')).active).toBe(false);
    expect(isPremiumActive({ subscription_tier: 'FREE', premium_valid_until: '2026-06-01T00:00:00.000Z' }, NOW).active).toBe(false);
  });
});
