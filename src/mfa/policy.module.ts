import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { MFA_POLICY_HOOK } from '../identity/auth/mfa-policy.hook.js';
import { TRUSTED_DEVICE_LOGIN } from '../identity/login/trusted-device-login.port.js';
import { TenantExportController } from '../tenants-export/tenant-export.controller.js';
import { MfaMethodsReader } from './methods/mfa-methods.reader.js';
import { MfaEnforcement } from './policy/mfa-enforcement.service.js';
import { MfaPolicyController } from './policy/policy.controller.js';
import { SetMfaPolicyHandler } from './policy/policy.handlers.js';
import { AddTrustedDeviceHandler, RemoveTrustedDeviceHandler } from './trusted-devices/trusted-device.handlers.js';
import { TrustedDevicesController } from './trusted-devices/trusted-devices.controller.js';
import { TrustedDevices } from './trusted-devices/trusted-devices.service.js';

/**
 * Per-tenant MFA policy, enforcement, step-up window and trusted devices. Global, so that
 * IdentityModule's AccessGuard, StepUpService and LogInHandler (which inject
 * MFA_POLICY_HOOK / TRUSTED_DEVICE_LOGIN as @Optional) resolve them.
 */
@Global()
@Module({
  imports: [IdentityModule],
  controllers: [MfaPolicyController, TrustedDevicesController, TenantExportController],
  providers: [
    MfaMethodsReader,
    MfaEnforcement,
    TrustedDevices,
    SetMfaPolicyHandler,
    AddTrustedDeviceHandler,
    RemoveTrustedDeviceHandler,
    { provide: MFA_POLICY_HOOK, useExisting: MfaEnforcement },
    { provide: TRUSTED_DEVICE_LOGIN, useExisting: TrustedDevices },
  ],
  exports: [MFA_POLICY_HOOK, TRUSTED_DEVICE_LOGIN, MfaEnforcement],
})
export class PolicyModule {}
