import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { WebAuthnModule } from '../mfa/webauthn.module.js';
import { PasswordResetController } from './password-reset/password-reset.controller.js';
import {
  RequestPasswordResetHandler,
  ResetPasswordHandler,
  StartResetSmsChallengeHandler,
  StartResetWebAuthnHandler,
} from './password-reset/password-reset.handlers.js';
import { PasswordResetMailer } from './password-reset/password-reset.mailer.js';
import { ResetFactorCheck } from './password-reset/reset-factor-check.js';
import { EmailChangeController } from './email-change/email-change.controller.js';
import { ConfirmEmailChangeHandler, RequestEmailChangeHandler } from './email-change/email-change.handlers.js';
import { EmailChangeMailer } from './email-change/email-change.mailer.js';
import { PersonalDataExportController } from './export/personal-data-export.controller.js';
import { DeactivationController, MembershipEndController } from './membership/membership.controller.js';
import { DeactivateUserHandler, EndMembershipHandler, ReactivateUserHandler } from './membership/membership.handlers.js';
import { CorporateContactErasureController, ErasureController } from '../privacy/erasure/erasure.controller.js';
import { EraseCorporateContactHandler } from '../privacy/erasure/erase-corporate-contact.handler.js';
import { ErasePersonalDataHandler } from '../privacy/erasure/erase-personal-data.handler.js';

/** Account lifecycle (issue 16): forgotten password, leaving a tenant, deactivation, e-mail change, export, erasure. */
@Module({
  imports: [IdentityModule, WebAuthnModule],
  controllers: [
    PasswordResetController,
    MembershipEndController,
    DeactivationController,
    EmailChangeController,
    PersonalDataExportController,
    ErasureController,
    CorporateContactErasureController,
  ],
  providers: [
    ResetFactorCheck,
    RequestPasswordResetHandler,
    ResetPasswordHandler,
    StartResetSmsChallengeHandler,
    StartResetWebAuthnHandler,
    PasswordResetMailer,
    EndMembershipHandler,
    DeactivateUserHandler,
    ReactivateUserHandler,
    RequestEmailChangeHandler,
    ConfirmEmailChangeHandler,
    EmailChangeMailer,
    ErasePersonalDataHandler,
    EraseCorporateContactHandler,
  ],
})
export class AccountModule {}
