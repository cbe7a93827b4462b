import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { badRequest, notFound } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';
import type { TenantView, UserView } from '../../../projections/users.js';
import type { AuthContext } from '../auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth, Public } from '../auth/decorators.js';
import { JwtKeys } from '../auth/jwt-keys.service.js';
import { StepUpService } from '../auth/step-up.service.js';
import { RefreshSession, RevokeSession } from '../sessions/session.handlers.js';
import type { TokenPair } from '../sessions/session-tokens.service.js';
import { ChangePassword } from '../users/user.handlers.js';
import { ChangePasswordDto, LoginDto, RefreshDto } from './auth.dto.js';
import { LogIn } from './log-in.handler.js';
import { clearRefreshCookies, deviceTokenOf, pairAnswer, refreshTokenFromCookie } from './refresh-cookie.js';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly keys: JwtKeys,
    private readonly stepUp: StepUpService,
    private readonly secrets: Secrets,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** JSON pair, or (web app) the refresh token only as an httpOnly cookie: see refresh-cookie.ts. */
  private answer(p: TokenPair, res: Response, cookie: boolean) {
    return pairAnswer(p, res, cookie, this.secrets.hmacKey, this.config.refreshIdleSeconds);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(
    @Body() dto: LoginDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Headers('x-device-token') deviceToken?: string,
  ) {
    const p = await this.gateway.run<TokenPair & { position: number }>(
      new LogIn(dto.email, dto.password, dto.tenant_id, deviceTokenOf(req, deviceToken)),
    );
    return this.answer(p, res, dto.refresh_cookie === true);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  async refresh(@Body() dto: RefreshDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    if (dto.refresh_token !== undefined) return this.answer(await this.gateway.run<TokenPair & { position: number }>(new RefreshSession(dto.refresh_token)), res, false);
    const token = refreshTokenFromCookie(req, this.secrets.hmacKey);
    if (!token) throw badRequest('validation_failed', 'refresh_token is required (in the body, or as the refresh cookie).', { field: 'refresh_token' });
    try {
      return this.answer(await this.gateway.run<TokenPair & { position: number }>(new RefreshSession(token)), res, true);
    } catch (err) {
      clearRefreshCookies(res); // a dead cookie is not sent again
      throw err;
    }
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Post('auth/logout')
  @HttpCode(204)
  async logout(@CurrentAuth() auth: AuthContext, @Res({ passthrough: true }) res: Response) {
    clearRefreshCookies(res);
    await this.gateway.run(new RevokeSession(auth.user_id, auth.session_id, 'logout', auth.user_id));
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Get('me')
  async me(@CurrentAuth() auth: AuthContext) {
    const [user, tenant] = await Promise.all([
      this.reads.collection<UserView>('users').get(auth.user_id),
      this.reads.collection<TenantView>('tenants').get(auth.tenant_id),
    ]);
    if (!user) throw notFound('user_not_found', 'No such user.');
    return {
      user: { id: user.id, email: user.email, display_name: user.display_name, language: user.language, sys_roles: user.sys_roles },
      tenant: tenant ? { id: tenant.id, name: tenant.name, tenant_type: tenant.tenant_type } : { id: auth.tenant_id },
      roles: auth.roles,
      session_id: auth.session_id,
      amr: auth.amr,
      auth_time: auth.auth_time,
      mfa_at: auth.mfa_at,
      mfa_method: auth.mfa_method,
      mfa_methods: auth.mfa_methods,
    };
  }

  /**
   * Needs the tenant's MFA policy (no @AllowWithoutMfa) and, like binding a factor, a fresh
   * second factor once the user has a possession factor. Every other session is revoked unless
   * `revoke_other_sessions: false`; trusted devices are always revoked (projections/trusted-devices.ts).
   */
  @ApiBearerAuth()
  @Post('auth/password')
  @HttpCode(200)
  async changePassword(@CurrentAuth() auth: AuthContext, @Body() dto: ChangePasswordDto) {
    await this.stepUp.assertMayBindFactor(auth);
    const r = await this.gateway.run<{ position: number; revoked_sessions: number }>(
      new ChangePassword(auth.user_id, auth.session_id, dto.current_password, dto.new_password, dto.revoke_other_sessions ?? true),
    );
    return { changed: true, revoked_sessions: r.revoked_sessions };
  }

  @Public()
  @Get('.well-known/jwks.json')
  jwks() {
    return this.keys.jwks();
  }
}
