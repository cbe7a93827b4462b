import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SecurityEventsController } from '../audit/security-events.controller.js';
import { AccessGuard } from './auth/access.guard.js';
import { JwtKeys } from './auth/jwt-keys.service.js';
import { StepUpService } from './auth/step-up.service.js';
import { BruteForceService } from './brute-force/brute-force.service.js';
import { AddressThrottle } from './login-abuse/address-throttle.service.js';
import { AuthController } from './login/auth.controller.js';
import { LogInHandler } from './login/log-in.handler.js';
import { MembersController } from './members/members.controller.js';
import { SessionTokens } from './sessions/session-tokens.service.js';
import { RefreshSessionHandler, RevokeOtherSessionsHandler, RevokeSessionHandler } from './sessions/session.handlers.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { SysUsersController } from './sys.controller.js';
import { BootstrapTenant, BootstrapTenantHandler } from './tenants/tenant.handlers.js';
import { TENANT_TYPES, type TenantType } from './tenants/tenant.decider.js';
import { AddMemberHandler, ChangeMemberRolesHandler, ChangePasswordHandler } from './users/user.handlers.js';
import { logger } from '../shared/logger.js';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { SetSysRolesHandler, SysRolesController } from './sys-roles.controller.js';
import { CreateTenantHandler } from './tenants/tenant.handlers.js';
import {
  IssuePasswordSetLinkHandler,
  PasswordLinkController,
  PasswordLinkMailer,
  SetPasswordWithLinkHandler,
} from './users/password-link.js';
import { InvitationsController } from './invitations/invitations.controller.js';
import { InvitationMail } from './invitations/invitation-mail.js';
import { AcceptInvitationHandler, ExpireInvitationsHandler, InviteMemberHandler } from './invitations/invitation.handlers.js';

/** Runs the BOOTSTRAP_* variables once the app is up (idempotent). */
class BootstrapOnStart implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
    private readonly projections: ProjectionEngine,
  ) {}
  async onApplicationBootstrap(): Promise<void> {
    const b = this.config.bootstrap;
    if (!b) return;
    if (!TENANT_TYPES.includes(b.tenantType as TenantType))
      throw new Error(`BOOTSTRAP_TENANT_TYPE must be one of ${TENANT_TYPES.join(', ')}`);
    const r = await this.commands.execute(new BootstrapTenant(b.tenantName, b.tenantType as TenantType, b.adminEmail, b.adminPassword));
    // Ready means the admin can log in: token issuing reads the membership read model.
    await this.projections.waitFor(r.position, 10_000);
    logger.info({ tenant_id: r.tenant_id, user_id: r.user_id }, 'bootstrap tenant ready');
  }
}

@Module({
  controllers: [
    AuthController,
    SessionsController,
    MembersController,
    SecurityEventsController,
    SysUsersController,
    SysRolesController,
    PasswordLinkController,
    InvitationsController,
  ],
  providers: [
    JwtKeys,
    StepUpService,
    BruteForceService,
    AddressThrottle,
    SessionTokens,
    LogInHandler,
    RefreshSessionHandler,
    RevokeSessionHandler,
    RevokeOtherSessionsHandler,
    AddMemberHandler,
    ChangeMemberRolesHandler,
    ChangePasswordHandler,
    BootstrapTenantHandler,
    CreateTenantHandler,
    SetSysRolesHandler,
    IssuePasswordSetLinkHandler,
    SetPasswordWithLinkHandler,
    PasswordLinkMailer,
    InviteMemberHandler,
    AcceptInvitationHandler,
    ExpireInvitationsHandler,
    InvitationMail,
    {
      provide: BootstrapOnStart,
      inject: [APP_CONFIG, CommandBus, ProjectionEngine],
      useFactory: (c: AppConfig, b: CommandBus, p: ProjectionEngine) => new BootstrapOnStart(c, b, p),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [JwtKeys, StepUpService, BruteForceService, SessionTokens],
})
export class IdentityModule {}
