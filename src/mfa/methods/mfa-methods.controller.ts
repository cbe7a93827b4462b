import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../../identity/auth/decorators.js';
import { MfaMethodsReader } from './mfa-methods.reader.js';

/** Enrolment detection (F02.07.01/.04): which second factors the caller has. */
@ApiTags('mfa')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/mfa/methods')
export class MfaMethodsController {
  constructor(private readonly methods: MfaMethodsReader) {}

  @Get()
  async list(@CurrentAuth() auth: AuthContext) {
    const s = await this.methods.snapshot(auth.user_id);
    return {
      totp: s.totp,
      webauthn: s.webauthn,
      sms: s.sms,
      email: { available: s.email.available, email_masked: s.email.email_masked },
      recovery_codes: { remaining: s.recovery_codes.remaining },
    };
  }
}
