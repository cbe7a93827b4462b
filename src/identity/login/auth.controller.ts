import { Body, Controller, Get, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { notFound } from '../../shared/errors.js';
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

const pair = ({ access_token, refresh_token, token_type, expires_in, session_id }: TokenPair) => ({
  access_token,
  refresh_token,
  token_type,
  expires_in,
  session_id,
});

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly keys: JwtKeys,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Headers('x-device-token') deviceToken?: string) {
    return pair(await this.gateway.run<TokenPair & { position: number }>(new LogIn(dto.email, dto.password, dto.tenant_id, deviceToken)));
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  async refresh(@Body() dto: RefreshDto) {
    return pair(await this.gateway.run<TokenPair & { position: number }>(new RefreshSession(dto.refresh_token)));
  }

  @ApiBearerAuth()
  @AllowWithoutMfa()
  @Post('auth/logout')
  @HttpCode(204)
  async logout(@CurrentAuth() auth: AuthContext) {
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
