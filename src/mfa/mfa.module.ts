import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { MfaMethodsController } from './methods/mfa-methods.controller.js';
import { MfaMethodsReader } from './methods/mfa-methods.reader.js';
import { RecoveryCodesController } from './recovery-codes/recovery-codes.controller.js';
import { GenerateRecoveryCodesHandler, UseRecoveryCodeHandler } from './recovery-codes/recovery-codes.handlers.js';
import { TotpController } from './totp/totp.controller.js';
import { ConfirmTotpEnrollmentHandler, DisableTotpHandler, StartTotpEnrollmentHandler, VerifyTotpHandler } from './totp/totp.handlers.js';

/** TOTP authenticator apps, recovery codes and enrolment detection (GET /auth/mfa/methods). */
@Module({
  imports: [IdentityModule],
  controllers: [TotpController, RecoveryCodesController, MfaMethodsController],
  providers: [
    MfaMethodsReader,
    StartTotpEnrollmentHandler,
    ConfirmTotpEnrollmentHandler,
    VerifyTotpHandler,
    DisableTotpHandler,
    GenerateRecoveryCodesHandler,
    UseRecoveryCodeHandler,
  ],
  exports: [MfaMethodsReader],
})
export class MfaModule {}
