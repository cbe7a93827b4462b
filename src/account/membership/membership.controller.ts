import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa, RequiresSysRole } from '../../identity/auth/decorators.js';
import { assertTenantAdmin } from '../../identity/members/members.controller.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { uuidParam } from '../../shared/ids.js';
import { DeactivateUser, EndMembership, ReactivateUser } from './membership.handlers.js';

export class DeactivateDto {
  @ApiProperty({ description: 'Why (kept in the audit)' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  // a display string: no control or bidi-override characters
  @Matches(/^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u, { message: 'reason must not contain control or bidi characters' })
  reason!: string;
}

const memberParam = uuidParam('member_not_found', 'No such member in this tenant.');
const userParam = uuidParam('user_not_found', 'No such user.');

/** A member leaves a tenant (tenant admin, step-up); the person's history stays in the audit. */
@ApiTags('members')
@ApiBearerAuth()
@Controller('tenants/:tenant_id/members')
export class MembershipEndController {
  constructor(
    private readonly gateway: CommandGateway,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Delete(':user_id')
  @RequiresFreshMfa()
  async remove(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string, @Param('user_id', memberParam) userId: string) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    const r = await this.gateway.run<{ position: number; revoked_sessions: number }>(new EndMembership(tenantId, userId, auth.user_id));
    return { removed: true, revoked_sessions: r.revoked_sessions };
  }
}

/** Platform operators (sys role security, step-up) stop and restore all logins of a person. */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys/users')
export class DeactivationController {
  constructor(private readonly gateway: CommandGateway) {}

  @Post(':user_id/deactivate')
  @RequiresSysRole('security')
  @RequiresFreshMfa()
  @HttpCode(200)
  async deactivate(@CurrentAuth() auth: AuthContext, @Param('user_id', userParam) userId: string, @Body() dto: DeactivateDto) {
    const r = await this.gateway.run<{ position: number; revoked_sessions: number }>(
      new DeactivateUser(userId, auth.user_id, dto.reason.trim()),
    );
    return { deactivated: true, revoked_sessions: r.revoked_sessions };
  }

  @Post(':user_id/reactivate')
  @RequiresSysRole('security')
  @RequiresFreshMfa()
  @HttpCode(200)
  async reactivate(@CurrentAuth() auth: AuthContext, @Param('user_id', userParam) userId: string) {
    await this.gateway.run(new ReactivateUser(userId, auth.user_id));
    return { deactivated: false };
  }
}
