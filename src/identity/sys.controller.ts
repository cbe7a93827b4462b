import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { notFound } from '../shared/errors.js';
import { sha256Hex } from '../shared/crypto.js';
import { uuidParam } from '../shared/ids.js';
import type { AuthContext } from './auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa, RequiresSysRole } from './auth/decorators.js';
import { BruteForceService } from './brute-force/brute-force.service.js';
import { userEvolver, userStream } from './users/user.decider.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { newestFirst, SecurityEventsQuery } from '../audit/security-events.controller.js';
import type { PlatformSecurityEventView } from '../../projections/platform-security-events.js';

/** Platform operators (sys role security): reset a locked credential (fresh second factor), read platform-wide alarms. */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys')
export class SysUsersController {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly projections: ProjectionEngine,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  /** Alarms that belong to no single user (password spraying), newest first. */
  @Get('security-events')
  @RequiresSysRole('security')
  async securityEvents(@Query() q: SecurityEventsQuery) {
    const page = await this.reads.collection<PlatformSecurityEventView>('platform_security_events').find(newestFirst({}, q));
    return {
      items: page.items.map(({ id, type, occurred_at, details }) => ({ id, type, occurred_at, details })),
      next_cursor: page.next_cursor,
    };
  }

  @Post('users/:user_id/unlock')
  @RequiresSysRole('security')
  // unlocking undoes a brute-force defence: a stolen operator password alone must not do it
  @RequiresFreshMfa()
  @HttpCode(200)
  async unlock(@CurrentAuth() auth: AuthContext, @Param('user_id', uuidParam('user_not_found', 'No such user.')) userId: string) {
    const { state } = await this.repo.load(userStream(userId), userEvolver);
    if (!state.exists) throw notFound('user_not_found', 'No such user.');
    const a = await this.bruteForce.unlock('login', sha256Hex(state.email), userId, auth.user_id, 'operator_reset');
    const b = await this.bruteForce.unlock('mfa', userId, userId, auth.user_id, 'operator_reset');
    await this.projections.waitFor(Math.max(a, b));
    return { unlocked: true };
  }
}
