import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../../identity/auth/decorators.js';
import type { IssuedChallenge } from '../../mfa/otp-challenge/otp.handlers.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { IpRateLimiter } from '../../shared/ip-rate-limiter.js';
import { currentContext } from '../../shared/request-context.js';
import { ForgotPasswordDto, ResetPasswordDto, ResetTokenDto } from './password-reset.dto.js';
import { RequestPasswordReset, ResetPassword, StartResetSmsChallenge, StartResetWebAuthn } from './password-reset.handlers.js';
import type { ResetProof } from './reset-factor-check.js';

/** Public endpoints that write before anyone is signed in: bounded per client address too. */
export const RESET_REQUESTS_PER_MINUTE = 20;

@ApiTags('auth')
@Public()
@Controller('auth/password')
export class PasswordResetController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly limiter: IpRateLimiter,
  ) {}

  private limit(): void {
    this.limiter.hit('password-reset', currentContext()?.ip, RESET_REQUESTS_PER_MINUTE, 60);
  }

  /** Always 202 with the same body: whether the address has an account is never told. */
  @Post('forgot')
  @HttpCode(202)
  async forgot(@Body() dto: ForgotPasswordDto) {
    this.limit();
    await this.gateway.run(new RequestPasswordReset(dto.email));
    return { accepted: true };
  }

  @Post('reset')
  @HttpCode(200)
  async reset(@Body() dto: ResetPasswordDto) {
    this.limit();
    const r = await this.gateway.run<{ position: number; revoked_sessions: number }>(
      new ResetPassword(dto.token, dto.new_password, dto.mfa as ResetProof | undefined),
    );
    return { reset: true, revoked_sessions: r.revoked_sessions };
  }

  @Post('reset/sms-challenge')
  @HttpCode(200)
  async smsChallenge(@Body() dto: ResetTokenDto) {
    this.limit();
    const r = await this.gateway.run<IssuedChallenge>(new StartResetSmsChallenge(dto.token));
    return { challenge_id: r.challenge_id, phone_masked: r.phone_masked, expires_in: r.expires_in };
  }

  @Post('reset/webauthn-options')
  @HttpCode(200)
  async webauthnOptions(@Body() dto: ResetTokenDto) {
    this.limit();
    const r = await this.gateway.run<{ options: unknown; position: number }>(new StartResetWebAuthn(dto.token));
    return r.options;
  }
}
