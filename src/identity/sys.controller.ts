import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { notFound } from '../shared/errors.js';
import { sha256Hex } from '../shared/crypto.js';
import type { AuthContext } from './auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa, RequiresSysRole } from './auth/decorators.js';
import { BruteForceService } from './brute-force/brute-force.service.js';
import { userEvolver, userStream } from './users/user.decider.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Platform operators (sys role security, fresh second factor): reset a locked credential. */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys/users')
export class SysUsersController {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly projections: ProjectionEngine,
  ) {}

  @Post(':user_id/unlock')
  @RequiresSysRole('security')
  // unlocking undoes a brute-force defence: a stolen operator password alone must not do it
  @RequiresFreshMfa()
  @HttpCode(200)
  async unlock(@CurrentAuth() auth: AuthContext, @Param('user_id') userId: string) {
    if (!UUID.test(userId)) throw notFound('user_not_found', 'No such user.');
    const { state } = await this.repo.load(userStream(userId), userEvolver);
    if (!state.exists) throw notFound('user_not_found', 'No such user.');
    const a = await this.bruteForce.unlock('login', sha256Hex(state.email), userId, auth.user_id, 'operator_reset');
    const b = await this.bruteForce.unlock('mfa', userId, userId, auth.user_id, 'operator_reset');
    await this.projections.waitFor(Math.max(a, b));
    return { unlocked: true };
  }
}
