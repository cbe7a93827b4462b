import { defineProjection } from '../src/projections-runtime/projection.js';
import type { TrustedDeviceEvent } from '../src/mfa/trusted-devices/trusted-device.decider.js';
import type { UserEvent } from '../src/identity/users/user.decider.js';
import type { DeviceInfo, Location } from '../src/shared/device.js';

/**
 * Trusted devices (F02.07.07). Only the SHA-256 of a device token is stored.
 * Revocation by "revoke all" and by a password change is derived here from the user's own
 * events (OtherSessionsRevoked reason revoke_all, PasswordChanged): every device added
 * before that event in the global log is revoked, every device added after it stays. The
 * log's order decides, so there is no race between adding a device and revoking all, and a
 * rebuild gives the same answer. The command answering revoke-all / password change waits for
 * projections, so the very next login already sees the revocation.
 */
export interface TrustedDeviceView {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  status: 'active' | 'removed' | 'revoked';
  revoked_reason: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  device: DeviceInfo;
  location: Location | null;
  /** The second factor the device was trusted with (null for devices added before it was recorded). */
  verified_by?: string | null;
  [k: string]: unknown;
}

export const trustedDevicesProjection = defineProjection({
  name: 'trusted_devices',
  collections: [{ name: 'trusted_devices', indexes: [{ fields: ['token_hash'], unique: true }, { fields: ['user_id', 'status'] }] }],
  handles: ['TrustedDeviceAdded', 'TrustedDeviceRemoved', 'TrustedDeviceUsed', 'OtherSessionsRevoked', 'PasswordChanged', 'PasswordReset'],
  async apply(event, tx) {
    const devices = tx.collection<TrustedDeviceView>('trusted_devices');
    const e = { type: event.type, data: event.data } as TrustedDeviceEvent | UserEvent;
    const revokeAll = async (userId: string, reason: string) => {
      const active = await devices.find({ where: { user_id: userId, status: 'active' }, limit: 10_000 });
      for (const d of active.items) await devices.patch(d.id, { set: { status: 'revoked', revoked_reason: reason } });
    };
    switch (e.type) {
      case 'TrustedDeviceAdded':
        await devices.upsert({
          id: e.data.device_id,
          user_id: e.data.user_id,
          name: e.data.name,
          token_hash: e.data.token_hash,
          status: 'active',
          revoked_reason: null,
          created_at: event.occurred_at,
          last_used_at: null,
          expires_at: e.data.expires_at,
          device: e.data.device,
          location: e.data.location,
          verified_by: e.data.verified_by ?? null,
        });
        break;
      case 'TrustedDeviceRemoved':
        await devices.patch(e.data.device_id, { set: { status: 'removed', revoked_reason: 'user' } });
        break;
      case 'TrustedDeviceUsed':
        await devices.patch(e.data.device_id, { set: { last_used_at: e.data.at } });
        break;
      case 'OtherSessionsRevoked':
        if (e.data.reason === 'revoke_all' || e.data.reason === 'deactivated') await revokeAll(e.data.user_id, e.data.reason);
        break;
      case 'PasswordChanged':
        await revokeAll(e.data.user_id, 'password_change');
        break;
      case 'PasswordReset':
        await revokeAll(e.data.user_id, 'password_reset');
        break;
      default:
        break;
    }
  },
});
