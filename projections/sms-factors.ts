import { defineProjection } from '../src/projections-runtime/projection.js';
import type { OtpEvent } from '../src/mfa/otp-challenge/otp.decider.js';

/** The user's SMS factor, read by MfaMethodsReader (GET /auth/mfa/methods). Only the masked number. */
export interface SmsFactorView {
  id: string;
  user_id: string;
  status: 'active' | 'removed';
  phone_masked: string;
  confirmed_at: string | null;
  removed_at: string | null;
  [k: string]: unknown;
}

/**
 * One document per code sent (SMS or e-mail): the basis of per-number and per-tenant send limits
 * and of the 46elks delivery webhook lookup. No code, no number: keyed hashes only.
 */
export interface OtpSendView {
  id: string;
  user_id: string;
  tenant_id: string;
  channel: 'sms' | 'email';
  purpose: 'enroll' | 'verify';
  destination_hash: string;
  sent_at: string;
  expires_at: string;
  delivery_hash: string | null;
  dispatched_at: string | null;
  provider_id: string | null;
  delivery_status: string | null;
  delivered_at: string | null;
  [k: string]: unknown;
}

export const smsFactorsProjection = defineProjection({
  name: 'sms_factors',
  collections: [
    { name: 'sms_factors' },
    {
      name: 'otp_sends',
      indexes: [
        { fields: ['channel', 'user_id', 'sent_at'] },
        { fields: ['channel', 'destination_hash', 'sent_at'] },
        { fields: ['channel', 'tenant_id', 'sent_at'] },
        { fields: ['delivery_hash'] },
      ],
    },
  ],
  handles: ['OtpChallengeIssued', 'OtpCodeDispatched', 'SmsDeliveryReported', 'MfaEnrolled', 'MfaDisabled'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as OtpEvent;
    const sends = tx.collection<OtpSendView>('otp_sends');
    const factors = tx.collection<SmsFactorView>('sms_factors');
    switch (e.type) {
      case 'OtpChallengeIssued':
        await sends.upsert({
          id: e.data.challenge_id,
          user_id: e.data.user_id,
          tenant_id: e.data.tenant_id,
          channel: e.data.channel,
          purpose: e.data.purpose,
          destination_hash: e.data.destination_hash,
          sent_at: e.data.issued_at,
          expires_at: e.data.expires_at,
          delivery_hash: e.data.delivery_hash,
          dispatched_at: null,
          provider_id: null,
          delivery_status: null,
          delivered_at: null,
        });
        break;
      case 'OtpCodeDispatched':
        await sends.patch(e.data.challenge_id, { set: { dispatched_at: event.occurred_at, provider_id: e.data.provider_id } });
        break;
      case 'SmsDeliveryReported':
        await sends.patch(e.data.challenge_id, { set: { delivery_status: e.data.status, delivered_at: e.data.delivered_at } });
        break;
      case 'MfaEnrolled':
        if (e.data.method !== 'sms') break;
        await factors.upsert({
          id: e.data.user_id,
          user_id: e.data.user_id,
          status: 'active',
          phone_masked: e.data.phone_masked,
          confirmed_at: e.data.confirmed_at,
          removed_at: null,
        });
        break;
      case 'MfaDisabled':
        if (e.data.method !== 'sms') break;
        await factors.patch(e.data.user_id, { set: { status: 'removed', removed_at: event.occurred_at } });
        break;
    }
  },
});
