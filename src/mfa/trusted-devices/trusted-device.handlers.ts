import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { notFound } from '../../shared/errors.js';
import type { TrustedDeviceView } from '../../../projections/trusted-devices.js';
import { TrustedDevices } from './trusted-devices.service.js';

export class AddTrustedDevice {
  constructor(
    readonly userId: string,
    readonly name: string | undefined,
    /** The second factor whose fresh verification allowed it. */
    readonly verifiedBy: string | null,
  ) {}
}
export class RemoveTrustedDevice {
  constructor(
    readonly userId: string,
    readonly deviceId: string,
  ) {}
}

@CommandHandler(AddTrustedDevice)
export class AddTrustedDeviceHandler implements ICommandHandler<AddTrustedDevice> {
  constructor(private readonly devices: TrustedDevices) {}
  execute(cmd: AddTrustedDevice) {
    return this.devices.add(cmd.userId, cmd.name, cmd.verifiedBy);
  }
}

@CommandHandler(RemoveTrustedDevice)
export class RemoveTrustedDeviceHandler implements ICommandHandler<RemoveTrustedDevice> {
  constructor(
    private readonly devices: TrustedDevices,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}
  async execute(cmd: RemoveTrustedDevice) {
    // a device already revoked by revoke-all / password change is gone for the user too
    const d = await this.reads.collection<TrustedDeviceView>('trusted_devices').get(cmd.deviceId);
    if (!d || d.user_id !== cmd.userId || d.status !== 'active') throw notFound('trusted_device_not_found', 'No such trusted device.');
    return this.devices.remove(cmd.userId, cmd.deviceId);
  }
}
