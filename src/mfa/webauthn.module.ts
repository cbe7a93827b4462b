import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { MfaMethodsReader } from './methods/mfa-methods.reader.js';
import {
  AssertionVerifier,
  FinishPasskeyLoginHandler,
  FinishWebAuthnStepUpHandler,
  StartPasskeyLoginHandler,
  StartWebAuthnStepUpHandler,
} from './webauthn/authentication.handlers.js';
import { WebAuthnCeremonies } from './webauthn/ceremony.service.js';
import { DeleteWebAuthnCredentialHandler, RenameWebAuthnCredentialHandler } from './webauthn/manage.handlers.js';
import { FinishWebAuthnRegistrationHandler, StartWebAuthnRegistrationHandler } from './webauthn/registration.handlers.js';
import { WebAuthnController } from './webauthn/webauthn.controller.js';

/** WebAuthn passkeys (second factor, step-up, passwordless) and the /account/passkeys page. */
@Module({
  imports: [IdentityModule],
  controllers: [WebAuthnController],
  providers: [
    MfaMethodsReader,
    WebAuthnCeremonies,
    AssertionVerifier,
    StartWebAuthnRegistrationHandler,
    FinishWebAuthnRegistrationHandler,
    StartWebAuthnStepUpHandler,
    FinishWebAuthnStepUpHandler,
    StartPasskeyLoginHandler,
    FinishPasskeyLoginHandler,
    RenameWebAuthnCredentialHandler,
    DeleteWebAuthnCredentialHandler,
  ],
  // the password reset checks a passkey without a session (src/account)
  exports: [WebAuthnCeremonies, AssertionVerifier],
})
export class WebAuthnModule {}
