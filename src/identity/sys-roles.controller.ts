import { Body, Controller, Param, Put } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { forbidden } from '../shared/errors.js';
import { uuidParam } from '../shared/ids.js';
import { SetSysRolesDto } from '../tenant-tier/tier.dto.js';
import type { AuthContext } from './auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa, RequiresSysRole } from './auth/decorators.js';
import { decideSetSysRoles, userEvolver, userStream, type UserEvent, type UserState } from './users/user.decider.js';

export class SetSysRoles {
  constructor(
    readonly userId: string,
    readonly sysRoles: string[],
    readonly by: string,
  ) {}
}

@CommandHandler(SetSysRoles)
export class SetSysRolesHandler implements ICommandHandler<SetSysRoles, { position: number; sys_roles: string[] }> {
  constructor(private readonly repo: AggregateRepository) {}
  async execute(cmd: SetSysRoles) {
    const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) =>
      decideSetSysRoles(s, cmd.sysRoles, cmd.by),
    );
    return { position: r.position, sys_roles: [...r.state.sys_roles].sort() };
  }
}

/**
 * PUT /sys/users/{id}/sys-roles: a security operator with a fresh second factor sets another
 * person's operator roles (support, finance, security). The guard checks sys roles against the
 * live read model, so a removed role stops working on the very next request.
 */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys/users')
export class SysRolesController {
  constructor(private readonly gateway: CommandGateway) {}

  @Put(':user_id/sys-roles')
  @RequiresSysRole('security')
  @RequiresFreshMfa()
  async set(
    @CurrentAuth() auth: AuthContext,
    @Param('user_id', uuidParam('user_not_found', 'No such user.')) userId: string,
    @Body() dto: SetSysRolesDto,
  ) {
    // no one grants or strips their own operator roles (no self-escalation, no locking the last one out by accident)
    if (userId === auth.user_id)
      throw forbidden('cannot_change_own_sys_roles', 'Another security operator must change your operator roles.');
    const r = await this.gateway.run<{ position: number; sys_roles: string[] }>(new SetSysRoles(userId, dto.sys_roles, auth.user_id));
    return { user_id: userId, sys_roles: r.sys_roles };
  }
}
