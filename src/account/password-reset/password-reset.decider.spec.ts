import {
  decideUseToken,
  maySend,
  resetEvolver,
  sendsEvolver,
  tokenProblem,
  type PasswordResetEvent,
  type ResetState,
} from './password-reset.decider.js';

const now = Date.parse('2026-03-02T08:30:00Z');
const issued = (over: Partial<{ user_id: string | null; password_epoch: number; expires_at: string }> = {}): ResetState =>
  [
    {
      type: 'PasswordResetTokenIssued',
      data: { reset_id: 'r1', user_id: 'u1', token_hash: 'h'.repeat(64), password_epoch: 2, expires_at: '2026-03-02T09:00:00Z', ...over },
    } as PasswordResetEvent,
  ].reduce(resetEvolver.evolve, resetEvolver.initialState());

describe('password reset decider', () => {
  it('allows at most max sends in a sliding hour across the two hour streams', () => {
    const at = (...iso: string[]) => ({ times: iso.map(Date.parse) });
    expect(maySend(at('2026-03-02T07:31:00Z'), at('2026-03-02T08:01:00Z', '2026-03-02T08:02:00Z'), now, 3)).toBe(false);
    // the 07:29 send is more than an hour old
    expect(maySend(at('2026-03-02T07:29:00Z'), at('2026-03-02T08:01:00Z', '2026-03-02T08:02:00Z'), now, 3)).toBe(true);
    expect(
      sendsEvolver.evolve(
        { times: [] },
        { type: 'PasswordResetRequested', data: { reset_id: 'r', address_key: 'a', user_id: null, at: '2026-03-02T08:00:00Z' } },
      ).times,
    ).toHaveLength(1);
  });

  it('accepts the right token once, before expiry, under the epoch it was issued for', () => {
    const s = issued();
    expect(tokenProblem(s, 'h'.repeat(64), now, 2)).toBeNull();
    const events = decideUseToken(s, 'h'.repeat(64), now, 2);
    expect(events).toEqual([{ type: 'PasswordResetTokenUsed', data: { reset_id: 'r1', user_id: 'u1' } }]);
    const used = (events as PasswordResetEvent[]).reduce(resetEvolver.evolve, s);
    expect(decideUseToken(used, 'h'.repeat(64), now, 2)).toBe('reset_token_used');
  });

  it.each([
    ['a wrong token (even differing in its last character)', issued(), `${'h'.repeat(63)}i`, now, 2, 'invalid_reset_token'],
    ['a request for an unknown address', issued({ user_id: null }), 'h'.repeat(64), now, 2, 'invalid_reset_token'],
    ['an unknown reset id', resetEvolver.initialState(), 'h'.repeat(64), now, 2, 'invalid_reset_token'],
    ['an expired token (30 min)', issued(), 'h'.repeat(64), Date.parse('2026-03-02T09:00:00Z'), 2, 'reset_token_expired'],
    ['a token issued before a later password change', issued(), 'h'.repeat(64), now, 3, 'reset_token_superseded'],
    ['a user who no longer exists or is deactivated', issued(), 'h'.repeat(64), now, null, 'invalid_reset_token'],
  ])('refuses %s', (_name, s, hash, at, epoch, problem) => {
    expect(tokenProblem(s, hash, at, epoch)).toBe(problem);
  });
});
