import { DomainError } from '../../shared/errors.js';
import {
  decideIssue,
  decideRemove,
  decideVerify,
  evolveOtp,
  initialOtp,
  waitSeconds,
  type IssueInput,
  type OtpEvent,
  type OtpState,
} from './otp.decider.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const given = (...events: OtpEvent[]): OtpState => events.reduce(evolveOtp, initialOtp());
const issueInput = (over: Partial<IssueInput> = {}): IssueInput => ({
  challenge_id: 'c1',
  user_id: 'u1',
  tenant_id: 't1',
  channel: 'sms',
  purpose: 'verify',
  code_hash: 'h-right',
  now: T0,
  ttlSeconds: 300,
  delivery_hash: 'd',
  destination_hash: 'p',
  phone: null,
  userRule: { hour: 3, day: 5, minIntervalSeconds: 30 },
  ...over,
});
const issued = (over: Partial<IssueInput> = {}) => decideIssue(initialOtp(), issueInput(over))[0]!;
const verify = (s: OtpState, hash: string, now = T0 + 1000, id = 'c1') =>
  decideVerify(s, { user_id: 'u1', challenge_id: id, channel: 'sms', purpose: 'verify', candidateHash: hash, now });

describe('OTP challenge decider', () => {
  it('given a challenge, when the right code comes in time, then it completes once and only once', () => {
    const s = given(issued());
    const first = verify(s, 'h-right');
    expect(first.result.ok).toBe(true);
    expect(first.events.map((e) => e.type)).toEqual(['OtpChallengeCompleted']);
    const again = verify(given(issued(), ...first.events), 'h-right');
    expect(again.result).toEqual({ ok: false, reason: 'used' });
  });

  it('given a challenge, when the code comes after 5 minutes, then it is expired', () => {
    expect(verify(given(issued()), 'h-right', T0 + 300_000).result).toEqual({ ok: false, reason: 'expired' });
  });

  it('given five wrong codes, then the challenge is locked and even the right code fails', () => {
    let s = given(issued());
    const results = [];
    for (let i = 0; i < 5; i++) {
      const v = verify(s, 'h-wrong');
      results.push(v.result);
      s = v.events.reduce(evolveOtp, s);
    }
    expect(results[3]).toEqual({ ok: false, reason: 'invalid_code', attempts_remaining: 1 });
    expect(results[4]).toEqual({ ok: false, reason: 'locked' });
    expect(verify(s, 'h-right').result).toEqual({ ok: false, reason: 'locked' });
  });

  it('given a challenge of another channel or an unknown id, then it is not found', () => {
    const s = given(issued({ channel: 'email' }));
    expect(verify(s, 'h-right').result).toEqual({ ok: false, reason: 'not_found' });
    expect(verify(s, 'h-right', T0, 'other').result).toEqual({ ok: false, reason: 'not_found' });
  });

  it('given a send 10 s ago, when another is asked for, then the minimum interval refuses it with the wait', () => {
    const s = given(issued());
    expect(() => decideIssue(s, issueInput({ challenge_id: 'c2', now: T0 + 10_000 }))).toThrow(DomainError);
    try {
      decideIssue(s, issueInput({ challenge_id: 'c2', now: T0 + 10_000 }));
    } catch (e) {
      expect((e as DomainError).code).toBe('sms_rate_limited');
      expect((e as DomainError).headers['Retry-After']).toBe('20');
    }
  });

  it('given an e-mail code sent 10 s ago, when another is asked for, then the refusal names the e-mail limit, not SMS', () => {
    const s = given(issued({ channel: 'email' }));
    expect(() => decideIssue(s, issueInput({ challenge_id: 'c2', channel: 'email', now: T0 + 10_000 }))).toThrow(
      expect.objectContaining({ code: 'email_otp_rate_limited' }),
    );
  });

  it('counts hourly and daily caps over sliding windows', () => {
    const rule = { hour: 3, day: 5, minIntervalSeconds: 0 };
    const min = 60_000;
    expect(waitSeconds([T0 - 50 * min, T0 - 40 * min], rule, T0)).toBe(0);
    expect(waitSeconds([T0 - 50 * min, T0 - 40 * min, T0 - 30 * min], rule, T0)).toBe(10 * 60);
    const day = [T0 - 20 * 60 * min, T0 - 10 * 60 * min, T0 - 5 * 60 * min, T0 - 4 * 60 * min, T0 - 3 * 60 * min];
    expect(waitSeconds(day, rule, T0)).toBe(4 * 3600);
  });

  it('given no active factor, when removing, then 404 sms_not_enrolled', () => {
    expect(() => decideRemove(initialOtp(), 'u1')).toThrow(expect.objectContaining({ code: 'sms_not_enrolled' }));
  });
});
