import { Body, Controller, Get, Inject, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../../identity/auth/decorators.js';
import { ALL_MFA_METHODS, DEFAULT_FRESH_WINDOW_SECONDS } from '../../identity/auth/mfa-policy.hook.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { assertTenantAdmin } from '../../identity/members/members.controller.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { SecurityEventsQuery } from '../../audit/security-events.controller.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import type { TenantSecurityEventView } from '../../../projections/tenant-security-events.js';
import { MfaEnforcement } from './mfa-enforcement.service.js';
import { MfaPolicyDto } from './policy.dto.js';
import { SetMfaPolicy } from './policy.handlers.js';
import type { MfaPolicy } from './policy.decider.js';

const view = (tenantId: string, p: MfaPolicy | null, updatedAt: string | null) => ({
  tenant_id: tenantId,
  configured: p !== null,
  required_roles: p?.required_roles ?? [],
  allowed_methods: p?.allowed_methods ?? [...ALL_MFA_METHODS],
  grace_period_days: p?.grace_period_days ?? 0,
  fresh_window_seconds: p?.fresh_window_seconds ?? DEFAULT_FRESH_WINDOW_SECONDS,
  updated_at: updatedAt,
});

/** The caller's tenant MFA policy (F02.07.05) and how it applies to the caller. */
@ApiTags('mfa-policy')
@ApiBearerAuth()
@Controller()
export class MfaPolicyController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly enforcement: MfaEnforcement,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Get('auth/mfa/policy')
  async get(@CurrentAuth() auth: AuthContext) {
    await assertTenantAdmin(this.reads, auth, auth.tenant_id);
    const p = await this.enforcement.policy(auth.tenant_id);
    return view(auth.tenant_id, p, p?.updated_at ?? null);
  }

  /**
   * Upsert. Step-up is needed when the admin has a second factor of their own (TOTP, SMS or a
   * passkey; the e-mail fallback every account has does not count), so the first admin of a
   * tenant can set a policy before enrolling.
   */
  @Put('auth/mfa/policy')
  async put(@CurrentAuth() auth: AuthContext, @Body() dto: MfaPolicyDto) {
    await assertTenantAdmin(this.reads, auth, auth.tenant_id);
    await this.stepUp.assertMayBindFactor(auth);
    const r = await this.gateway.run<{ position: number; policy: MfaPolicy }>(new SetMfaPolicy(auth.tenant_id, { ...dto }, auth.user_id));
    const p = await this.enforcement.policy(auth.tenant_id);
    return view(auth.tenant_id, r.policy, p?.updated_at ?? null);
  }

  @AllowWithoutMfa()
  @Get('auth/mfa/enforcement')
  async status(@CurrentAuth() auth: AuthContext) {
    return this.enforcement.evaluate(auth);
  }

  /** Tenant-level security events (e.g. mfa_policy_changed), for that tenant's admins. */
  @Get('tenants/:tenant_id/security-events')
  async tenantEvents(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string, @Query() q: SecurityEventsQuery) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    const page = await this.reads.collection<TenantSecurityEventView>('tenant_security_events').find({
      where: { tenant_id: tenantId, ...(q.type ? { type: q.type } : {}) },
      sort: [
        ['occurred_at', 'desc'],
        ['position', 'desc'],
      ],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return {
      items: page.items.map(({ id, type, occurred_at, actor_id, ip, details }) => ({ id, type, occurred_at, actor_id, ip, details })),
      next_cursor: page.next_cursor,
    };
  }
}
