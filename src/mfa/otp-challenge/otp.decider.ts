import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { safeEqual, type Sealed } from '../../shared/crypto.js';
import { DomainError } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';

/**
 * One stream per user (`mfa-otp-<user id>`) holds the user's SMS factor and every one-time code
 * challenge sent to them by SMS or e-mail. Being one stream, per-user send limits and the
 * per-challenge attempt counter are decided under optimistic concurrency (exact, race-free).
 * No event holds a code or a phone number in clear: codes as HMAC-SHA-256 (challenge id in the
 * MAC input), numbers sealed with AES-256-GCM plus a keyed hash (for per-number limits) and a mask.
 */
export type OtpChannel = 'sms' | 'email';
export type OtpPurpose = 'enroll' | 'verify';
export const MAX_CODE_ATTEMPTS = 5;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface PhoneRef {
  phone_sealed: Sealed;
  phone_hash: string;
  phone_masked: string;
}

export type OtpEvent =
  | DomainEvent<
      'OtpChallengeIssued',
      {
        challenge_id: string;
        user_id: string;
        tenant_id: string;
        channel: OtpChannel;
        purpose: OtpPurpose;
        code_hash: string;
        issued_at: string;
        expires_at: string;
        delivery_hash: string | null;
        destination_hash: string;
      } & Partial<PhoneRef>
    >
  | DomainEvent<'OtpCodeRejected', { challenge_id: string; user_id: string; channel: OtpChannel; attempts: number }>
  | DomainEvent<'OtpChallengeLocked', { challenge_id: string; user_id: string; channel: OtpChannel; attempts: number }>
  | DomainEvent<'OtpChallengeCompleted', { challenge_id: string; user_id: string; channel: OtpChannel; purpose: OtpPurpose }>
  | DomainEvent<'OtpCodeDispatched', { challenge_id: string; user_id: string; channel: OtpChannel; provider_id: string | null }>
  | DomainEvent<
      'SmsDeliveryReported',
      { challenge_id: string; user_id: string; provider_id: string | null; status: string; delivered_at: string | null }
    >
  | DomainEvent<'MfaEnrolled', { method: 'sms'; user_id: string; tenant_id: string; replaced: boolean; confirmed_at: string } & PhoneRef>
  | DomainEvent<'MfaDisabled', { method: 'sms'; user_id: string; phone_masked: string }>;

export interface Challenge {
  id: string;
  channel: OtpChannel;
  purpose: OtpPurpose;
  code_hash: string;
  issued_at: number;
  expires_at: number;
  attempts: number;
  status: 'open' | 'used' | 'locked';
  dispatched: boolean;
  phone: PhoneRef | null;
}

export interface OtpState {
  challenges: Record<string, Challenge>;
  /** Recent sends (≤ 1 day, relative to the newest issue) per channel, epoch ms. */
  sends: Array<{ channel: OtpChannel; at: number }>;
  factor: (PhoneRef & { status: 'active' | 'removed'; confirmed_at: string }) | null;
}

export const otpStream = (userId: string) => `mfa-otp-${userId}`;
export const initialOtp = (): OtpState => ({ challenges: {}, sends: [], factor: null });

export function evolveOtp(s: OtpState, e: OtpEvent): OtpState {
  const patch = (id: string, p: Partial<Challenge>): OtpState =>
    own(s.challenges, id) ? { ...s, challenges: { ...s.challenges, [id]: { ...s.challenges[id]!, ...p } } } : s;
  switch (e.type) {
    case 'OtpChallengeIssued': {
      const at = Date.parse(e.data.issued_at);
      const keep = Object.fromEntries(Object.entries(s.challenges).filter(([, c]) => c.expires_at > at - DAY_MS));
      const phone = e.data.phone_sealed
        ? { phone_sealed: e.data.phone_sealed, phone_hash: e.data.phone_hash!, phone_masked: e.data.phone_masked! }
        : null;
      keep[e.data.challenge_id] = {
        id: e.data.challenge_id,
        channel: e.data.channel,
        purpose: e.data.purpose,
        code_hash: e.data.code_hash,
        issued_at: at,
        expires_at: Date.parse(e.data.expires_at),
        attempts: 0,
        status: 'open',
        dispatched: false,
        phone,
      };
      return { ...s, challenges: keep, sends: [...s.sends.filter((x) => x.at > at - DAY_MS), { channel: e.data.channel, at }] };
    }
    case 'OtpCodeRejected':
      return patch(e.data.challenge_id, { attempts: e.data.attempts });
    case 'OtpChallengeLocked':
      return patch(e.data.challenge_id, { status: 'locked' });
    case 'OtpChallengeCompleted':
      return patch(e.data.challenge_id, { status: 'used' });
    case 'OtpCodeDispatched':
      return patch(e.data.challenge_id, { dispatched: true });
    case 'SmsDeliveryReported':
      return s;
    case 'MfaEnrolled':
      return {
        ...s,
        factor: {
          status: 'active',
          confirmed_at: e.data.confirmed_at,
          phone_sealed: e.data.phone_sealed,
          phone_hash: e.data.phone_hash,
          phone_masked: e.data.phone_masked,
        },
      };
    case 'MfaDisabled':
      return s.factor ? { ...s, factor: { ...s.factor, status: 'removed' } } : s;
    default:
      return s;
  }
}

export const otpEvolver = { initialState: initialOtp, evolve: evolveOtp, snapshot: { schema: 1 } };

/** Usage of one counter: send times (epoch ms) within the last day. */
export type SendTimes = number[];

export interface LimitRule {
  hour: number;
  day: number;
  minIntervalSeconds: number;
}

/** Seconds until a send is allowed under this rule, or 0 when it is allowed now. */
export function waitSeconds(times: SendTimes, rule: LimitRule, now: number): number {
  const sorted = times.filter((t) => t > now - DAY_MS && t <= now).sort((a, b) => a - b);
  let until = 0;
  const last = sorted[sorted.length - 1];
  if (last !== undefined && rule.minIntervalSeconds > 0) until = Math.max(until, last + rule.minIntervalSeconds * 1000);
  const inHour = sorted.filter((t) => t > now - HOUR_MS);
  if (inHour.length >= rule.hour) until = Math.max(until, inHour[inHour.length - rule.hour]! + HOUR_MS);
  if (sorted.length >= rule.day) until = Math.max(until, sorted[sorted.length - rule.day]! + DAY_MS);
  return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : 0;
}

/** 429 with the channel's own error_code: sms_rate_limited or email_otp_rate_limited. */
export const rateLimited = (retryAfter: number, channel: OtpChannel) =>
  new DomainError(
    channel === 'email' ? 'email_otp_rate_limited' : 'sms_rate_limited',
    429,
    `Too many codes were sent. Try again in ${retryAfter} s.`,
    { retry_after: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );

export interface IssueInput {
  challenge_id: string;
  user_id: string;
  tenant_id: string;
  channel: OtpChannel;
  purpose: OtpPurpose;
  code_hash: string;
  now: number;
  ttlSeconds: number;
  delivery_hash: string | null;
  destination_hash: string;
  phone: PhoneRef | null;
  userRule: LimitRule;
}

/** Issues a challenge unless the user's own send limits refuse it (429 sms_rate_limited / email_otp_rate_limited). */
export function decideIssue(s: OtpState, i: IssueInput): OtpEvent[] {
  const wait = waitSeconds(
    s.sends.filter((x) => x.channel === i.channel).map((x) => x.at),
    i.userRule,
    i.now,
  );
  if (wait > 0) throw rateLimited(wait, i.channel);
  return [
    {
      type: 'OtpChallengeIssued',
      data: {
        challenge_id: i.challenge_id,
        user_id: i.user_id,
        tenant_id: i.tenant_id,
        channel: i.channel,
        purpose: i.purpose,
        code_hash: i.code_hash,
        issued_at: new Date(i.now).toISOString(),
        expires_at: new Date(i.now + i.ttlSeconds * 1000).toISOString(),
        delivery_hash: i.delivery_hash,
        destination_hash: i.destination_hash,
        ...(i.phone ?? {}),
      },
    },
  ];
}

export type VerifyResult =
  | { ok: true; challenge: Challenge }
  | { ok: false; reason: 'not_found' | 'expired' | 'used' | 'locked' }
  | { ok: false; reason: 'invalid_code'; attempts_remaining: number };

/**
 * Checks a code against an open challenge of this user, channel and purpose. `candidateHash` is
 * the HMAC of (challenge id, submitted code); compared in constant time. The fifth wrong code
 * locks the challenge for good.
 */
export function decideVerify(
  s: OtpState,
  v: { user_id: string; challenge_id: string; channel: OtpChannel; purpose: OtpPurpose; candidateHash: string; now: number },
): { events: OtpEvent[]; result: VerifyResult } {
  const c = s.challenges[v.challenge_id];
  if (!c || c.channel !== v.channel || c.purpose !== v.purpose) return { events: [], result: { ok: false, reason: 'not_found' } };
  if (c.status === 'used') return { events: [], result: { ok: false, reason: 'used' } };
  if (c.status === 'locked') return { events: [], result: { ok: false, reason: 'locked' } };
  if (v.now >= c.expires_at) return { events: [], result: { ok: false, reason: 'expired' } };
  const base = { challenge_id: c.id, user_id: v.user_id, channel: c.channel };
  if (safeEqual(c.code_hash, v.candidateHash)) {
    return { events: [{ type: 'OtpChallengeCompleted', data: { ...base, purpose: c.purpose } }], result: { ok: true, challenge: c } };
  }
  const attempts = c.attempts + 1;
  const events: OtpEvent[] = [{ type: 'OtpCodeRejected', data: { ...base, attempts } }];
  if (attempts >= MAX_CODE_ATTEMPTS) {
    events.push({ type: 'OtpChallengeLocked', data: { ...base, attempts } });
    return { events, result: { ok: false, reason: 'locked' } };
  }
  return { events, result: { ok: false, reason: 'invalid_code', attempts_remaining: MAX_CODE_ATTEMPTS - attempts } };
}

/** The newest open enrolment challenge (confirm needs no challenge id). */
export function latestEnrolChallenge(s: OtpState): string | null {
  const open = Object.values(s.challenges).filter((c) => c.channel === 'sms' && c.purpose === 'enroll' && c.status === 'open');
  open.sort((a, b) => b.issued_at - a.issued_at);
  return open[0]?.id ?? null;
}

export function enrolledEvent(s: OtpState, c: Challenge, user_id: string, tenant_id: string, now: number): OtpEvent {
  return {
    type: 'MfaEnrolled',
    data: {
      method: 'sms',
      user_id,
      tenant_id,
      replaced: s.factor?.status === 'active',
      confirmed_at: new Date(now).toISOString(),
      ...c.phone!,
    },
  };
}

export function decideRemove(s: OtpState, user_id: string): OtpEvent[] {
  if (s.factor?.status !== 'active') throw new DomainError('sms_not_enrolled', 404, 'No phone number is enrolled for SMS codes.');
  return [{ type: 'MfaDisabled', data: { method: 'sms', user_id, phone_masked: s.factor.phone_masked } }];
}

export function decideDispatched(s: OtpState, challenge_id: string, user_id: string, provider_id: string | null): OtpEvent[] {
  const c = own(s.challenges, challenge_id);
  if (!c || c.dispatched) return [];
  return [{ type: 'OtpCodeDispatched', data: { challenge_id, user_id, channel: c.channel, provider_id } }];
}
