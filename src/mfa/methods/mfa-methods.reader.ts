import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import type { Doc } from '../../readstore/read-store.port.js';
import { maskEmail } from '../../shared/mask.js';
import type { PossessionMethod } from '../../identity/auth/mfa-evidence.js';

export type MfaMethod = 'totp' | 'sms' | 'email' | 'webauthn';

/**
 * Which second factors a user has, read from each factor's read model. Shared by
 * GET /auth/mfa/methods and policy enforcement, so both always agree.
 * Collections (one per factor, each owned by its projection):
 *   totp_factors (id = user id, status 'active'|'pending'|'disabled', confirmed_at)
 *   sms_factors (id = user id, status 'active'|'removed', phone_masked, confirmed_at)
 *   webauthn_credentials (one per credential, user_id, status 'active'|'deleted')
 *   recovery_codes (id = user id, remaining, generated_at)
 * E-mail OTP is available to every user with an e-mail address (break-glass fallback).
 */
@Injectable()
export class MfaMethodsReader {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  async snapshot(userId: string) {
    const [totp, sms, webauthnCount, recovery, user] = await Promise.all([
      this.reads.collection<Doc & { status?: string; confirmed_at?: string | null }>('totp_factors').get(userId),
      this.reads.collection<Doc & { status?: string; phone_masked?: string; confirmed_at?: string | null }>('sms_factors').get(userId),
      this.reads.collection('webauthn_credentials').count({ user_id: userId, status: 'active' }),
      this.reads.collection<Doc & { remaining?: number; generated_at?: string | null }>('recovery_codes').get(userId),
      this.reads.collection<Doc & { email?: string }>('users').get(userId),
    ]);
    return {
      totp: { enrolled: totp?.status === 'active', confirmed_at: totp?.status === 'active' ? (totp.confirmed_at ?? null) : null },
      sms: { enrolled: sms?.status === 'active', phone_masked: sms?.status === 'active' ? (sms.phone_masked ?? null) : null },
      webauthn: { credential_count: webauthnCount },
      email: { available: Boolean(user?.email), email: user?.email ?? null, email_masked: user?.email ? maskEmail(user.email) : null },
      recovery_codes: { remaining: recovery?.remaining ?? 0, generated_at: recovery?.generated_at ?? null },
    };
  }

  /**
   * The user's possession factors (what the policy counts as "enrolled"). E-mail OTP is never
   * one: it is the break-glass fallback every account has.
   */
  async possessionFactors(userId: string): Promise<PossessionMethod[]> {
    const [totp, sms, webauthnCount] = await Promise.all([
      this.reads.collection<Doc & { status?: string }>('totp_factors').get(userId),
      this.reads.collection<Doc & { status?: string }>('sms_factors').get(userId),
      this.reads.collection('webauthn_credentials').count({ user_id: userId, status: 'active' }),
    ]);
    const out: PossessionMethod[] = [];
    if (totp?.status === 'active') out.push('totp');
    if (sms?.status === 'active') out.push('sms');
    if (webauthnCount > 0) out.push('webauthn');
    return out;
  }
}
