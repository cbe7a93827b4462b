import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { pairAnswer } from '../../identity/login/refresh-cookie.js';
import { Secrets } from '../../shared/secrets.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth, Public } from '../../identity/auth/decorators.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import type { TokenPair } from '../../identity/sessions/session-tokens.service.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { idParam } from '../../shared/ids.js';
import type { WebAuthnCredentialView } from '../../../projections/webauthn-credentials.js';
import { FinishPasskeyLogin, FinishWebAuthnStepUp, StartPasskeyLogin, StartWebAuthnStepUp } from './authentication.handlers.js';
import { DeleteWebAuthnCredential, RenameWebAuthnCredential } from './manage.handlers.js';
import { credentialView, FinishWebAuthnRegistration, StartWebAuthnRegistration } from './registration.handlers.js';
import { AuthenticateVerifyDto, PasskeyLoginVerifyDto, RegisterVerifyDto, RenameCredentialDto } from './webauthn.dto.js';
import { IpRateLimiter } from '../../shared/ip-rate-limiter.js';
import { currentContext } from '../../shared/request-context.js';

/** Passwordless login options per client address and minute. */
export const PASSKEY_OPTIONS_PER_MINUTE = 30;

const credentialIdParam = idParam('webauthnCredential', 'id');

/** WebAuthn passkeys: registration, step-up, passwordless sign-in and management (F02.07.04). */
@ApiTags('mfa')
@Controller()
export class WebAuthnController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    private readonly limiter: IpRateLimiter,
    private readonly secrets: Secrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Post('auth/mfa/webauthn/register/options')
  @HttpCode(200)
  async registerOptions(@CurrentAuth() auth: AuthContext) {
    return (await this.gateway.run<{ options: unknown; position: number }>(new StartWebAuthnRegistration(auth))).options;
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Post('auth/mfa/webauthn/register/verify')
  @HttpCode(201)
  async registerVerify(@CurrentAuth() auth: AuthContext, @Body() dto: RegisterVerifyDto) {
    const r = await this.gateway.run<{ position: number; credential: ReturnType<typeof credentialView> }>(
      new FinishWebAuthnRegistration(auth, dto.response, dto.name),
    );
    return { enrolled: true, method: 'webauthn', credential: r.credential };
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Post('auth/mfa/webauthn/authenticate/options')
  @HttpCode(200)
  async authenticateOptions(@CurrentAuth() auth: AuthContext) {
    return (await this.gateway.run<{ options: unknown; position: number }>(new StartWebAuthnStepUp(auth))).options;
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Post('auth/mfa/webauthn/authenticate/verify')
  @HttpCode(200)
  async authenticateVerify(@CurrentAuth() auth: AuthContext, @Body() dto: AuthenticateVerifyDto) {
    const r = await this.gateway.run<{
      access_token: string;
      token_type: string;
      expires_in: number;
      amr: string[];
      mfa_at: number;
      position: number;
    }>(new FinishWebAuthnStepUp(auth, dto.response));
    return { access_token: r.access_token, token_type: r.token_type, expires_in: r.expires_in, amr: r.amr, mfa_at: r.mfa_at };
  }

  @Public()
  @Post('auth/passkey/login/options')
  @HttpCode(200)
  async passkeyOptions() {
    // public and it records a challenge: bounded per client address
    this.limiter.hit('passkey-login-options', currentContext()?.ip, PASSKEY_OPTIONS_PER_MINUTE, 60);
    const r = await this.gateway.run<{ attempt_id: string; options: unknown; position: number }>(new StartPasskeyLogin());
    return { attempt_id: r.attempt_id, options: r.options };
  }

  @Public()
  @Post('auth/passkey/login/verify')
  @HttpCode(200)
  async passkeyVerify(@Body() dto: PasskeyLoginVerifyDto, @Res({ passthrough: true }) res: Response) {
    const r = await this.gateway.run<TokenPair & { position: number }>(new FinishPasskeyLogin(dto.attempt_id, dto.response));
    return pairAnswer(r, res, dto.refresh_cookie === true, this.secrets.hmacKey, this.config.refreshIdleSeconds);
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Get('auth/mfa/webauthn/credentials')
  async list(@CurrentAuth() auth: AuthContext) {
    const page = await this.reads
      .collection<WebAuthnCredentialView>('webauthn_credentials')
      .find({ where: { user_id: auth.user_id, status: 'active' }, sort: [['created_at', 'asc']], limit: 100 });
    return { items: page.items.map(credentialView) };
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Patch('auth/mfa/webauthn/credentials/:id')
  async rename(@CurrentAuth() auth: AuthContext, @Param('id', credentialIdParam) id: string, @Body() dto: RenameCredentialDto) {
    const r = await this.gateway.run<{ position: number; credential: unknown }>(new RenameWebAuthnCredential(auth.user_id, id, dto.name));
    return r.credential;
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Delete('auth/mfa/webauthn/credentials/:id')
  @HttpCode(200)
  async remove(@CurrentAuth() auth: AuthContext, @Param('id', credentialIdParam) id: string) {
    await this.stepUp.assertMayBindFactor(auth);
    const r = await this.gateway.run<{ position: number; remaining_credentials: number }>(new DeleteWebAuthnCredential(auth.user_id, id));
    return { deleted: true, remaining_credentials: r.remaining_credentials };
  }
}
