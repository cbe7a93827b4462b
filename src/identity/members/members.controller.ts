import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { badRequest, forbidden, notFound } from '../../shared/errors.js';
import { membershipId, type MembershipView, type UserView } from '../../../projections/users.js';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa } from '../auth/decorators.js';
import { AddMemberDto, ChangeRolesDto } from '../login/auth.dto.js';
import { ChangeMemberRoles } from '../users/user.handlers.js';
import { normaliseRoles } from '../users/user.decider.js';
import { passwordProblem } from '../users/password.js';
import { StepUpService } from '../auth/step-up.service.js';
import { InviteMember } from '../invitations/invitation.handlers.js';
import type { MfaPolicyView } from '../../../projections/mfa-policies.js';
import { maskEmail } from '../../shared/mask.js';
import { isUuid, uuidParam } from '../../shared/ids.js';

/** Checks, against the live membership, that the caller administers this tenant. */
export async function assertTenantAdmin(reads: ReadStore, auth: AuthContext, tenantId: string, roles = ['tenant_admin']): Promise<void> {
  if (!isUuid(tenantId)) throw notFound('tenant_not_found', 'No such tenant.');
  const m = await reads.collection<MembershipView>('memberships').get(membershipId(tenantId, auth.user_id));
  if (!m || !m.roles.some((r) => roles.includes(r)))
    throw forbidden('tenant_admin_required', `This needs one of the roles ${roles.join(', ')} in this tenant.`);
}

@ApiTags('members')
@ApiBearerAuth()
@Controller('tenants/:tenant_id/members')
export class MembersController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  /**
   * Invites a person: 202 `{ invitation_id }` whether or not the address has an account (see
   * InviteMemberHandler). Granting tenant_admin or a role the tenant's MFA policy requires MFA
   * for needs step-up, as on PATCH.
   */
  @Post()
  @HttpCode(202)
  async add(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string, @Body() dto: AddMemberDto) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    if (dto.password !== undefined) {
      const problem = passwordProblem(dto.password);
      if (problem) throw badRequest('weak_password', problem);
    }
    const policy = await this.reads.collection<MfaPolicyView>('mfa_policies').get(tenantId);
    const privileged = new Set(['tenant_admin', ...(policy?.required_roles ?? [])]);
    if (normaliseRoles(dto.roles).some((r) => privileged.has(r))) await this.stepUp.assertFresh(auth);
    const r = await this.gateway.run<{ invitation_id: string; position: number }>(
      new InviteMember(tenantId, auth.user_id, dto.email, dto.display_name, dto.roles, dto.password, dto.language ?? 'en'),
    );
    return { invitation_id: r.invitation_id };
  }

  @Patch(':user_id')
  @RequiresFreshMfa()
  async changeRoles(
    @CurrentAuth() auth: AuthContext,
    @Param('tenant_id') tenantId: string,
    @Param('user_id', uuidParam('member_not_found', 'No such member in this tenant.')) userId: string,
    @Body() dto: ChangeRolesDto,
  ) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    const r = await this.gateway.run<{ position: number; roles: string[] }>(new ChangeMemberRoles(tenantId, userId, dto.roles));
    return { user_id: userId, roles: r.roles };
  }

  @Get()
  async list(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string, @Query('cursor') cursor?: string) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    const page = await this.reads
      .collection<MembershipView>('memberships')
      .find({ where: { tenant_id: tenantId }, sort: [['joined_at', 'asc']], limit: 100, cursor });
    const users = await Promise.all(page.items.map((m) => this.reads.collection<UserView>('users').get(m.user_id)));
    return {
      items: page.items.map((m, i) => ({
        user_id: m.user_id,
        // another person's address: masked (DESIGN: only the owner's own profile shows it whole)
        email_masked: users[i] ? maskEmail(users[i]!.email) : null,
        display_name: users[i]?.display_name ?? null,
        roles: m.roles,
        joined_at: m.joined_at,
      })),
      next_cursor: page.next_cursor,
    };
  }
}
