import { defineProjection } from '../src/projections-runtime/projection.js';
import type { TotpEvent } from '../src/mfa/totp/totp.decider.js';

/**
 * TOTP enrolment state per user (id = user id), read by MfaMethodsReader. Never holds the
 * seed: status and dates only. A replacement in progress keeps status 'active'.
 */
export interface TotpFactorView {
  id: string;
  user_id: string;
  status: 'pending' | 'active' | 'disabled';
  confirmed_at: string | null;
  pending_since: string | null;
  last_used_at: string | null;
  [k: string]: unknown;
}

export const totpFactorsProjection = defineProjection({
  name: 'totp_factors',
  collections: [{ name: 'totp_factors' }],
  handles: ['TotpEnrollmentStarted', 'MfaEnrolled', 'TotpCodeAccepted', 'MfaDisabled'],
  async apply(event, tx) {
    const factors = tx.collection<TotpFactorView>('totp_factors');
    const e = { type: event.type, data: event.data } as TotpEvent;
    if ((e.type === 'MfaEnrolled' || e.type === 'MfaDisabled') && e.data.method !== 'totp') return;
    const id = e.data.user_id;
    // a code check (every TOTP verify) only moves last_used_at of an existing factor: patch alone does that
    if (e.type === 'TotpCodeAccepted') {
      await factors.patch(id, { set: { last_used_at: event.occurred_at } });
      return;
    }
    const cur = await factors.get(id);
    switch (e.type) {
      case 'TotpEnrollmentStarted':
        await factors.upsert({
          id,
          user_id: id,
          status: cur?.status === 'active' ? 'active' : 'pending',
          confirmed_at: cur?.status === 'active' ? cur.confirmed_at : null,
          pending_since: event.occurred_at,
          last_used_at: cur?.status === 'active' ? cur.last_used_at : null,
        });
        break;
      case 'MfaEnrolled':
        await factors.upsert({
          id,
          user_id: id,
          status: 'active',
          confirmed_at: event.occurred_at,
          pending_since: null,
          last_used_at: event.occurred_at,
        });
        break;
      case 'MfaDisabled':
        await factors.upsert({
          id,
          user_id: id,
          status: 'disabled',
          confirmed_at: null,
          pending_since: null,
          last_used_at: cur?.last_used_at ?? null,
        });
        break;
      default:
        break;
    }
  },
});
