import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth, Public } from '../../identity/auth/decorators.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { IssueOtpChallenge, VerifyOtpCode, type IssuedChallenge } from '../otp-challenge/otp.handlers.js';
import { ConfirmSmsEnrolment, RecordSmsDelivery, RemoveSmsFactor, StartSmsEnrolment } from './sms.handlers.js';
import { OtpVerifyDto, SmsEnrollConfirmDto, SmsEnrollDto } from './sms.dto.js';

type Token = { access_token: string; token_type: string; expires_in: number; amr: string[]; mfa_at: number; position: number };
export const tokenAnswer = ({ access_token, token_type, expires_in, amr, mfa_at }: Token) => ({
  access_token,
  token_type,
  expires_in,
  amr,
  mfa_at,
});

@ApiTags('mfa')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/mfa/sms')
export class SmsController {
  constructor(private readonly gateway: CommandGateway) {}

  @Post('enroll')
  @HttpCode(200)
  async enroll(@CurrentAuth() auth: AuthContext, @Body() dto: SmsEnrollDto) {
    const { position: _p, ...answer } = await this.gateway.run<{
      position: number;
      challenge_id: string;
      phone: string;
      phone_masked: string;
      expires_in: number;
    }>(new StartSmsEnrolment(auth, dto.phone));
    return answer;
  }

  @Post('enroll/confirm')
  @HttpCode(200)
  async confirm(@CurrentAuth() auth: AuthContext, @Body() dto: SmsEnrollConfirmDto) {
    // binds the number; the session is not upgraded (request a code and verify it to satisfy MFA)
    const r = await this.gateway.run<{ position: number; method: 'sms'; phone_masked: string | null; confirmed_at: string | null }>(
      new ConfirmSmsEnrolment(auth, dto.code, dto.challenge_id ?? null),
    );
    return { enrolled: true, method: r.method, phone_masked: r.phone_masked, confirmed_at: r.confirmed_at };
  }

  @Delete()
  @HttpCode(204)
  async remove(@CurrentAuth() auth: AuthContext) {
    await this.gateway.run(new RemoveSmsFactor(auth));
  }

  @Post('challenge')
  @HttpCode(200)
  async challenge(@CurrentAuth() auth: AuthContext) {
    const r = await this.gateway.run<IssuedChallenge>(new IssueOtpChallenge(auth, 'sms'));
    return { challenge_id: r.challenge_id, phone_masked: r.phone_masked, expires_in: r.expires_in };
  }

  @Post('verify')
  @HttpCode(200)
  async verify(@CurrentAuth() auth: AuthContext, @Body() dto: OtpVerifyDto) {
    return tokenAnswer(await this.gateway.run<Token>(new VerifyOtpCode(auth, 'sms', dto.challenge_id, dto.code)));
  }
}

/** 46elks delivery reports (form-encoded id, status, delivered). The secret path segment authenticates. */
@ApiTags('webhooks')
@Controller('webhooks/46elks')
export class ElksWebhookController {
  constructor(private readonly gateway: CommandGateway) {}

  @Public()
  @Post('delivery/:secret')
  @HttpCode(204)
  async delivery(@Param('secret') secret: string, @Body() body: Record<string, unknown>) {
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 200 ? v : null);
    await this.gateway.run(new RecordSmsDelivery(secret, str(body?.id), str(body?.status) ?? '', str(body?.delivered)));
  }
}
