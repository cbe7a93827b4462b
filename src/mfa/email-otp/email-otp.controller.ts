import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../../identity/auth/decorators.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { IssueOtpChallenge, VerifyOtpCode, type IssuedChallenge } from '../otp-challenge/otp.handlers.js';
import { OtpVerifyDto } from '../sms/sms.dto.js';
import { tokenAnswer } from '../sms/sms.controller.js';

/** E-mail OTP (F02.07.03): the break-glass fallback, same code mechanics and limits as SMS; amr "email". */
@ApiTags('mfa')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/mfa/email')
export class EmailOtpController {
  constructor(private readonly gateway: CommandGateway) {}

  @Post('challenge')
  @HttpCode(200)
  async challenge(@CurrentAuth() auth: AuthContext) {
    const r = await this.gateway.run<IssuedChallenge>(new IssueOtpChallenge(auth, 'email'));
    return { challenge_id: r.challenge_id, email_masked: r.email_masked, expires_in: r.expires_in };
  }

  @Post('verify')
  @HttpCode(200)
  async verify(@CurrentAuth() auth: AuthContext, @Body() dto: OtpVerifyDto) {
    return tokenAnswer(
      await this.gateway.run<Parameters<typeof tokenAnswer>[0]>(new VerifyOtpCode(auth, 'email', dto.challenge_id, dto.code)),
    );
  }
}
