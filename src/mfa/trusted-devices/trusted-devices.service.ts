import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import type { TrustedDeviceLogin } from '../../identity/login/trusted-device-login.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { locate, parseDevice } from '../../shared/device.js';
import { currentContext } from '../../shared/request-context.js';
import { MfaEnforcement } from '../policy/mfa-enforcement.service.js';
import type { TrustedDeviceView } from '../../../projections/trusted-devices.js';
import {
  decideAddTrustedDevice,
  decideRemoveTrustedDevice,
  decideUseTrustedDevice,
  trustedDevicesEvolver,
  trustedDevicesStream,
  type TrustedDeviceEvent,
  type TrustedDevicesState,
} from './trusted-device.decider.js';

/** 256 random bits, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Trusted devices: issue (token returned once, SHA-256 stored), remove, check, and the
 * TRUSTED_DEVICE_LOGIN seam used by POST /auth/login.
 */
@Injectable()
export class TrustedDevices implements TrustedDeviceLogin {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly enforcement: MfaEnforcement,
  ) {}

  /** The caller's active, unexpired device for this token, or null (malformed, unknown, other user's, revoked, expired). */
  async find(userId: string, token: string | undefined): Promise<TrustedDeviceView | null> {
    if (!token || !TOKEN.test(token)) return null;
    const page = await this.reads
      .collection<TrustedDeviceView>('trusted_devices')
      .find({ where: { token_hash: sha256Hex(token) }, limit: 1 });
    const d = page.items[0];
    if (!d || d.user_id !== userId || d.status !== 'active' || Date.parse(d.expires_at) <= this.clock.now().getTime()) return null;
    return d;
  }

  /**
   * A login with the device's token in `tenantId`: trusted only where that tenant's policy allows
   * the factor the device was trusted with (a device trusted in a tenant that accepts SMS is no
   * second factor in one that accepts only passkeys). Records the use.
   */
  async isTrusted(userId: string, token: string, tenantId: string): Promise<boolean> {
    const d = await this.find(userId, token);
    if (!d) return false;
    if (d.verified_by && d.verified_by !== 'recovery_code' && !(await this.enforcement.allowedMethods(tenantId)).includes(d.verified_by))
      return false;
    const now = this.clock.now().getTime();
    await this.repo.execute<TrustedDevicesState, TrustedDeviceEvent>(trustedDevicesStream(userId), trustedDevicesEvolver, (s) =>
      decideUseTrustedDevice(s, userId, d.id, now),
    );
    return true;
  }

  async add(userId: string, name: string | undefined, verifiedBy: string | null = null) {
    const token = randomToken(256);
    const ctx = currentContext();
    const device = parseDevice(ctx?.user_agent);
    const location = await locate(ctx?.ip);
    const device_id = randomUUID();
    const now = this.clock.now().getTime();
    const r = await this.repo.execute<TrustedDevicesState, TrustedDeviceEvent>(trustedDevicesStream(userId), trustedDevicesEvolver, () =>
      decideAddTrustedDevice(
        { user_id: userId, device_id, name, token_hash: sha256Hex(token), device, location, verified_by: verifiedBy },
        now,
      ),
    );
    const added = r.events[0]!.data as { name: string; expires_at: string };
    return { position: r.position, id: device_id, token, name: added.name, expires_at: added.expires_at };
  }

  async remove(userId: string, deviceId: string) {
    const r = await this.repo.execute<TrustedDevicesState, TrustedDeviceEvent>(trustedDevicesStream(userId), trustedDevicesEvolver, (s) =>
      decideRemoveTrustedDevice(s, userId, deviceId),
    );
    return { position: r.position };
  }
}
