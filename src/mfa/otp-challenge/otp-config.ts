/**
 * Configuration of one-time codes sent by SMS and e-mail (read by src/config/config.ts, which
 * stays the only reader of process.env). Every limit is "sends per window"; a value of 0 for an
 * interval disables it.
 */
import { intReader } from '../../config/env-reader.js';

export interface SendLimits {
  perUserHour: number;
  perUserDay: number;
  /** Per destination (phone number hash; for e-mail the user's address, i.e. per user). */
  perPhoneHour: number;
  perPhoneDay: number;
  perTenantHour: number;
  perTenantDay: number;
  /** Minimum seconds between two sends to the same user or number. */
  minIntervalSeconds: number;
}

export interface OtpConfig {
  /** Code lifetime, 60..600 s (default 300). */
  codeTtlSeconds: number;
  /** ISO 3166 alpha-2 countries numbers may belong to (SMS_ALLOWED_COUNTRIES, default Nordic). */
  smsAllowedCountries: string[];
  sms: SendLimits;
  email: SendLimits;
  /** Delivery jobs: total attempts and exponential backoff base (ms). */
  jobAttempts: number;
  jobBackoffMs: number;
}

export const NORDIC_COUNTRIES = ['SE', 'NO', 'DK', 'FI', 'IS'];

type Env = Record<string, string | undefined>;

export function loadOtpConfig(env: Env, problems: string[]): OtpConfig {
  const int = intReader(env, problems);
  const limits = (p: 'SMS' | 'EMAIL_OTP'): SendLimits => ({
    perUserHour: int(`${p}_USER_MAX_PER_HOUR`, 5, 1, 10_000),
    perUserDay: int(`${p}_USER_MAX_PER_DAY`, 10, 1, 100_000),
    perPhoneHour: int(`${p}_${p === 'SMS' ? 'PHONE' : 'ADDRESS'}_MAX_PER_HOUR`, 5, 1, 10_000),
    perPhoneDay: int(`${p}_${p === 'SMS' ? 'PHONE' : 'ADDRESS'}_MAX_PER_DAY`, 10, 1, 100_000),
    perTenantHour: int(`${p}_TENANT_MAX_PER_HOUR`, 200, 1, 1_000_000),
    perTenantDay: int(`${p}_TENANT_MAX_PER_DAY`, 1000, 1, 10_000_000),
    minIntervalSeconds: int(`${p}_MIN_INTERVAL_SECONDS`, 30, 0, 3600),
  });
  const rawCountries = env.SMS_ALLOWED_COUNTRIES;
  const countries =
    rawCountries === undefined || rawCountries.trim() === ''
      ? [...NORDIC_COUNTRIES]
      : rawCountries
          .split(',')
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean);
  for (const c of countries) if (!/^[A-Z]{2}$/.test(c)) problems.push(`SMS_ALLOWED_COUNTRIES entry "${c}" is not an ISO 3166 alpha-2 code`);
  return {
    codeTtlSeconds: int('OTP_CODE_TTL_SECONDS', 300, 60, 600),
    smsAllowedCountries: countries,
    sms: limits('SMS'),
    email: limits('EMAIL_OTP'),
    jobAttempts: int('OTP_JOB_ATTEMPTS', 8, 1, 50),
    jobBackoffMs: int('OTP_JOB_BACKOFF_MS', 2000, 1, 600_000),
  };
}
