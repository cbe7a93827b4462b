import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import type { DeviceInfo, Location } from '../../shared/device.js';
import { badRequest, notFound } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';

/** A trusted device (F02.07.07) stays trusted for 30 days. */
export const TRUSTED_DEVICE_TTL_MS = 30 * 86_400_000;

export type TrustedDeviceEvent =
  | DomainEvent<
      'TrustedDeviceAdded',
      {
        user_id: string;
        device_id: string;
        name: string;
        token_hash: string;
        expires_at: string;
        device: DeviceInfo;
        location: Location | null;
        /** The second factor whose fresh verification trusted the device (absent in older events). */
        verified_by?: string | null;
      }
    >
  | DomainEvent<'TrustedDeviceRemoved', { user_id: string; device_id: string; name: string; reason: 'user' }>
  | DomainEvent<'TrustedDeviceUsed', { user_id: string; device_id: string; at: string }>;

export interface TrustedDevicesState {
  user_id: string;
  devices: Record<string, { name: string; removed: boolean; expires_at: number }>;
}

/** One stream per user holds all of that user's trusted devices. */
export const trustedDevicesStream = (userId: string) => `trusted-devices-${userId}`;
export const trustedDevicesEvolver = {
  snapshot: { schema: 1 },
  initialState: (): TrustedDevicesState => ({ user_id: '', devices: {} }),
  evolve(s: TrustedDevicesState, e: TrustedDeviceEvent): TrustedDevicesState {
    switch (e.type) {
      case 'TrustedDeviceAdded':
        return {
          user_id: e.data.user_id,
          devices: { ...s.devices, [e.data.device_id]: { name: e.data.name, removed: false, expires_at: Date.parse(e.data.expires_at) } },
        };
      case 'TrustedDeviceRemoved': {
        const d = own(s.devices, e.data.device_id);
        return d ? { ...s, devices: { ...s.devices, [e.data.device_id]: { ...d, removed: true } } } : s;
      }
      default:
        return s;
    }
  },
};

export const defaultDeviceName = (d: DeviceInfo): string =>
  d.browser && d.os ? `${d.browser} on ${d.os}` : (d.browser ?? d.os ?? 'Trusted device');

export function decideAddTrustedDevice(
  input: {
    user_id: string;
    device_id: string;
    name: string | undefined;
    token_hash: string;
    device: DeviceInfo;
    location: Location | null;
    verified_by?: string | null;
  },
  now: number,
): TrustedDeviceEvent[] {
  const name = (input.name ?? '').trim() || defaultDeviceName(input.device);
  if (name.length > 100) throw badRequest('validation_failed', 'name: must be at most 100 characters', { field: 'name' });
  return [
    {
      type: 'TrustedDeviceAdded',
      data: {
        user_id: input.user_id,
        device_id: input.device_id,
        name,
        token_hash: input.token_hash,
        expires_at: new Date(now + TRUSTED_DEVICE_TTL_MS).toISOString(),
        device: input.device,
        location: input.location,
        verified_by: input.verified_by ?? null,
      },
    },
  ];
}

export function decideRemoveTrustedDevice(s: TrustedDevicesState, userId: string, deviceId: string): TrustedDeviceEvent[] {
  const d = own(s.devices, deviceId);
  if (!d || d.removed) throw notFound('trusted_device_not_found', 'No such trusted device.');
  return [{ type: 'TrustedDeviceRemoved', data: { user_id: userId, device_id: deviceId, name: d.name, reason: 'user' } }];
}

/** A login with the device's token: records last use; nothing for a removed or expired device. */
export function decideUseTrustedDevice(s: TrustedDevicesState, userId: string, deviceId: string, now: number): TrustedDeviceEvent[] {
  const d = own(s.devices, deviceId);
  if (!d || d.removed || d.expires_at <= now) return [];
  return [{ type: 'TrustedDeviceUsed', data: { user_id: userId, device_id: deviceId, at: new Date(now).toISOString() } }];
}
