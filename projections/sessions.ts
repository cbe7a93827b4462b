import { defineProjection } from '../src/projections-runtime/projection.js';
import type { SessionEvent } from '../src/identity/sessions/session.decider.js';
import type { DeviceInfo, Location } from '../src/shared/device.js';

/** Read model of RefreshTokenFamily sessions: what GET /auth/sessions lists and the guard checks. */
export interface SessionView {
  id: string;
  user_id: string;
  tenant_id: string;
  status: 'active' | 'revoked';
  revoked_reason: string | null;
  created_at: string;
  last_used_at: string;
  idle_expires_at: string;
  absolute_expires_at: string;
  ip: string | null;
  device: DeviceInfo;
  device_key: string;
  location: Location | null;
  amr: string[];
  mfa_at: string | null;
  method: string;
  [k: string]: unknown;
}

export const sessionsProjection = defineProjection({
  name: 'sessions',
  collections: [{ name: 'sessions', indexes: [{ fields: ['user_id', 'status'] }, { fields: ['user_id', 'device_key', 'id'] }] }],
  handles: ['SessionStarted', 'RefreshTokenRotated', 'SessionMfaSatisfied', 'SessionRevoked'],
  async apply(event, tx) {
    const sessions = tx.collection<SessionView>('sessions');
    const e = { type: event.type, data: event.data } as SessionEvent;
    switch (e.type) {
      case 'SessionStarted':
        await sessions.upsert({
          id: e.data.session_id,
          user_id: e.data.user_id,
          tenant_id: e.data.tenant_id,
          status: 'active',
          revoked_reason: null,
          created_at: event.occurred_at,
          last_used_at: event.occurred_at,
          idle_expires_at: e.data.idle_expires_at,
          absolute_expires_at: e.data.absolute_expires_at,
          ip: e.data.ip,
          device: e.data.device,
          device_key: e.data.device_key,
          location: e.data.location,
          amr: e.data.amr,
          mfa_at: e.data.mfa_at,
          method: e.data.method,
        });
        break;
      case 'RefreshTokenRotated':
        await sessions.patch(e.data.session_id, {
          set: { last_used_at: e.data.at, idle_expires_at: e.data.idle_expires_at, ip: event.metadata.ip ?? null },
        });
        break;
      case 'SessionMfaSatisfied': {
        const cur = await sessions.get(e.data.session_id);
        if (cur) await sessions.patch(cur.id, { set: { amr: [...new Set([...cur.amr, ...e.data.amr])], mfa_at: e.data.mfa_at } });
        break;
      }
      case 'SessionRevoked':
        await sessions.patch(e.data.session_id, { set: { status: 'revoked', revoked_reason: e.data.reason } });
        break;
      default:
        break;
    }
  },
});
