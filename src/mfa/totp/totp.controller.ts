import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../../identity/auth/decorators.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import {
  ConfirmTotpEnrollment,
  DisableTotp,
  StartTotpEnrollment,
  VerifyTotp,
  type FactorConfirmed,
  type MfaTokenAnswer,
} from './totp.handlers.js';

export class MfaCodeDto {
  @ApiProperty({ example: '123456' }) @IsString() @MinLength(1) @MaxLength(64) code!: string;
}

/** The answer of every successful MFA verification: a new access token recording it. */
export const tokenAnswer = ({ access_token, token_type, expires_in, amr, mfa_at }: MfaTokenAnswer) => ({
  access_token,
  token_type,
  expires_in,
  amr,
  mfa_at,
});

/** Authenticator apps (RFC 6238 TOTP), F02.07.01. */
@ApiTags('mfa')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/mfa/totp')
export class TotpController {
  constructor(private readonly gateway: CommandGateway) {}

  /** A new seed, shown once (secret, otpauth URI, SVG QR code); pending until confirmed. */
  @Post('enroll')
  @HttpCode(200)
  async enroll(@CurrentAuth() auth: AuthContext) {
    const { secret, otpauth_uri, qr_svg } = await this.gateway.run<{
      position: number;
      secret: string;
      otpauth_uri: string;
      qr_svg: string;
    }>(new StartTotpEnrollment(auth));
    return { secret, otpauth_uri, qr_svg };
  }

  /** Binds the authenticator. The session is not upgraded: verify a later code to satisfy MFA. */
  @Post('confirm')
  @HttpCode(200)
  async confirm(@CurrentAuth() auth: AuthContext, @Body() body: MfaCodeDto) {
    const { enrolled, method, confirmed_at } = await this.gateway.run<FactorConfirmed>(new ConfirmTotpEnrollment(auth, body.code));
    return { enrolled, method, confirmed_at };
  }

  @Post('verify')
  @HttpCode(200)
  async verify(@CurrentAuth() auth: AuthContext, @Body() body: MfaCodeDto) {
    return tokenAnswer(await this.gateway.run<MfaTokenAnswer>(new VerifyTotp(auth, body.code)));
  }

  @Delete()
  @HttpCode(204)
  async disable(@CurrentAuth() auth: AuthContext) {
    await this.gateway.run(new DisableTotp(auth));
  }
}
