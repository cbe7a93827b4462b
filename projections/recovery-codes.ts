import { defineProjection } from '../src/projections-runtime/projection.js';
import type { RecoveryCodesEvent } from '../src/mfa/recovery-codes/recovery-codes.decider.js';

/** How many recovery codes a user has left (id = user id); never the hashes. */
export interface RecoveryCodesView {
  id: string;
  user_id: string;
  batch_id: string;
  total: number;
  remaining: number;
  generated_at: string;
  last_used_at: string | null;
  [k: string]: unknown;
}

export const recoveryCodesProjection = defineProjection({
  name: 'recovery_codes',
  collections: [{ name: 'recovery_codes' }],
  handles: ['RecoveryCodesGenerated', 'RecoveryCodeUsed'],
  async apply(event, tx) {
    const views = tx.collection<RecoveryCodesView>('recovery_codes');
    const e = { type: event.type, data: event.data } as RecoveryCodesEvent;
    switch (e.type) {
      case 'RecoveryCodesGenerated':
        await views.upsert({
          id: e.data.user_id,
          user_id: e.data.user_id,
          batch_id: e.data.batch_id,
          total: e.data.codes.length,
          remaining: e.data.codes.length,
          generated_at: e.data.generated_at,
          last_used_at: null,
        });
        break;
      case 'RecoveryCodeUsed': {
        const cur = await views.get(e.data.user_id);
        // The event carries the count left, so re-applying it is idempotent.
        if (cur && cur.batch_id === e.data.batch_id)
          await views.patch(cur.id, { set: { remaining: e.data.remaining, last_used_at: event.occurred_at } });
        break;
      }
      default:
        break;
    }
  },
});
