import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { forbidden, notFound } from '../../shared/errors.js';
import { membershipId, type MembershipView, type UserView } from '../../../projections/users.js';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa } from '../auth/decorators.js';
import { AddMemberDto, ChangeRolesDto } from '../login/auth.dto.js';
import { AddMember, ChangeMemberRoles } from '../users/user.handlers.js';
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
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post()
  @HttpCode(201)
  async add(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string, @Body() dto: AddMemberDto) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    const r = await this.gateway.run<{ user_id: string; created: boolean; position: number }>(
      new AddMember(tenantId, dto.email, dto.display_name, dto.roles, dto.password, dto.language ?? 'en'),
    );
    return { user_id: r.user_id, created: r.created };
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
