import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../../identity/auth/decorators.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import type { RecoveryCodesView } from '../../../projections/recovery-codes.js';
import { MfaCodeDto, tokenAnswer } from '../totp/totp.controller.js';
import type { MfaTokenAnswer } from '../totp/totp.handlers.js';
import { GenerateRecoveryCodes, UseRecoveryCode } from './recovery-codes.handlers.js';

/** Recovery codes (F02.07.06): ten single-use codes, shown once, stored as salted hashes. */
@ApiTags('mfa')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/mfa/recovery-codes')
export class RecoveryCodesController {
  constructor(
    private readonly gateway: CommandGateway,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post('generate')
  @HttpCode(200)
  async generate(@CurrentAuth() auth: AuthContext) {
    const r = await this.gateway.run<{ position: number; codes: string[]; generated_at: string }>(new GenerateRecoveryCodes(auth));
    return { codes: r.codes, generated_at: r.generated_at };
  }

  @Get('count')
  async count(@CurrentAuth() auth: AuthContext) {
    const v = await this.reads.collection<RecoveryCodesView>('recovery_codes').get(auth.user_id);
    return { remaining: v?.remaining ?? 0, generated_at: v?.generated_at ?? null };
  }

  @Post('verify')
  @HttpCode(200)
  async verify(@CurrentAuth() auth: AuthContext, @Body() body: MfaCodeDto) {
    const r = await this.gateway.run<MfaTokenAnswer & { remaining: number }>(new UseRecoveryCode(auth, body.code));
    return { ...tokenAnswer(r), remaining: r.remaining };
  }
}
