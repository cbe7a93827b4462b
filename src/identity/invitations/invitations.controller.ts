import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { maskEmail } from '../../shared/mask.js';
import type { InvitationView } from '../../../projections/invitations.js';
import type { UserView } from '../../../projections/users.js';
import type { AuthContext } from '../auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../auth/decorators.js';
import { assertTenantAdmin } from '../members/members.controller.js';
import { AcceptInvitation } from './invitation.handlers.js';

export class AcceptInvitationDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) token!: string;
}
/** Invitations: the invitee accepts from their own session; the tenant's admins list pending ones. */
@ApiTags('members')
@Controller()
export class InvitationsController {
  constructor(
    private readonly gateway: CommandGateway,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post('invitations/accept')
  @ApiBearerAuth()
  // joining another tenant is not an action inside the session's tenant: its MFA policy does not gate it
  @AllowWithoutMfa()
  @HttpCode(200)
  async accept(@CurrentAuth() auth: AuthContext, @Body() dto: AcceptInvitationDto) {
    const r = await this.gateway.run<{ tenant_id: string; roles: string[]; position: number }>(
      new AcceptInvitation(dto.token, auth.user_id, auth.session_id),
    );
    return { tenant_id: r.tenant_id, roles: r.roles };
  }

  @Get('tenants/:tenant_id/invitations')
  @ApiBearerAuth()
  async pending(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string, @Query('cursor') cursor?: string) {
    await assertTenantAdmin(this.reads, auth, tenantId);
    const page = await this.reads
      .collection<InvitationView>('invitations')
      .find({ where: { tenant_id: tenantId, status: 'pending' }, sort: [['invited_at', 'asc']], limit: 100, cursor });
    const users = await Promise.all(page.items.map((i) => this.reads.collection<UserView>('users').get(i.user_id)));
    return {
      items: page.items.map((i, n) => ({
        invitation_id: i.id,
        // another person's address: masked
        email_masked: users[n] ? maskEmail(users[n]!.email) : null,
        roles: i.roles,
        invited_by: i.invited_by,
        invited_at: i.invited_at,
        expires_at: i.expires_at,
      })),
      next_cursor: page.next_cursor,
    };
  }
}
