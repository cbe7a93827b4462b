import type { Sealed } from '../../shared/crypto.js';
import { TOTP_DEFAULTS } from './totp.core.js';
import {
  decideConfirm,
  decideDisable,
  decideStartEnrollment,
  decideVerify,
  evolveTotp,
  initialTotp,
  type TotpEvent,
  type TotpState,
} from './totp.decider.js';

const U = 'user-1';
const seed = (ct: string) => ({ secret: { kid: 'k1', iv: 'iv', ct, tag: 't' } as Sealed, params: TOTP_DEFAULTS });
const given = (...events: TotpEvent[]): TotpState => events.reduce(evolveTotp, initialTotp());
const started = (ct: string) => decideStartEnrollment(initialTotp(), U, seed(ct))[0]!;
const enrolled = (step: number): TotpEvent => ({
  type: 'MfaEnrolled',
  data: { user_id: U, method: 'totp', accepted_step: step, replaced: false },
});
/** A matcher that accepts only the given seed ciphertext, at the given step. */
const matches = (ct: string, step: number) => (s: { secret: Sealed }) => (s.secret.ct === ct ? step : null);

describe('TotpFactor decider', () => {
  it('given nothing, when confirming, then there is nothing to confirm', () => {
    expect(decideConfirm(given(), U, matches('A', 10)).kind).toBe('no_pending');
  });

  it('given a pending seed, when a matching code arrives, then MfaEnrolled with the accepted step', () => {
    const d = decideConfirm(given(started('A')), U, matches('A', 10));
    expect(d).toEqual({ kind: 'confirmed', events: [enrolled(10)] });
    expect(given(started('A'), enrolled(10))).toMatchObject({ active: { secret: { ct: 'A' } }, pending: null, lastStep: 10 });
  });

  it('given an active seed and a pending replacement, the old seed stays active until the new one is confirmed', () => {
    const s = given(started('A'), enrolled(10), started('B'));
    expect(s.active?.secret.ct).toBe('A');
    expect(decideVerify(s, U, matches('A', 11)).kind).toBe('accepted');
    expect(decideConfirm(s, U, matches('A', 11)).kind).toBe('invalid');
    const d = decideConfirm(s, U, matches('B', 11));
    expect(d.kind === 'confirmed' && d.events[0]!.data).toMatchObject({ replaced: true });
    expect(given(started('A'), enrolled(10), started('B'), ...(d.kind === 'confirmed' ? d.events : [])).active?.secret.ct).toBe('B');
  });

  it('given an accepted step, when the same or an older step is used, then it is a replay', () => {
    const s = given(started('A'), enrolled(10), { type: 'TotpCodeAccepted', data: { user_id: U, step: 12 } });
    expect(decideVerify(s, U, matches('A', 12))).toEqual({
      kind: 'replay',
      events: [{ type: 'TotpReplayRejected', data: { user_id: U, step: 12, purpose: 'verify' } }],
    });
    expect(decideVerify(s, U, matches('A', 11)).kind).toBe('replay');
    expect(decideVerify(s, U, matches('A', 13))).toMatchObject({ kind: 'accepted', step: 13 });
  });

  it('given no active seed, verify says not enrolled; disable clears everything', () => {
    expect(decideVerify(given(started('A')), U, matches('A', 1)).kind).toBe('not_enrolled');
    expect(decideDisable(given(), U)).toBeNull();
    const events = decideDisable(given(started('A'), enrolled(3)), U)!;
    expect(events).toEqual([{ type: 'MfaDisabled', data: { user_id: U, method: 'totp' } }]);
    expect(given(started('A'), enrolled(3), ...events)).toEqual(initialTotp());
  });
});
