import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { uuidParam } from '../../shared/ids.js';
import type { SessionView } from '../../../projections/sessions.js';
import type { AuthContext } from '../auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../auth/decorators.js';
import { RevokeOtherSessions, RevokeSession } from './session.handlers.js';

/** Session management (F02.07.08): each session is a RefreshTokenFamily. */
@ApiTags('sessions')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/sessions')
export class SessionsController {
  constructor(
    private readonly gateway: CommandGateway,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@CurrentAuth() auth: AuthContext) {
    const now = this.clock.now().toISOString();
    const page = await this.reads.collection<SessionView>('sessions').find({
      where: { user_id: auth.user_id, status: 'active', idle_expires_at: { gt: now }, absolute_expires_at: { gt: now } },
      sort: [['last_used_at', 'desc']],
      limit: 500,
    });
    return {
      items: page.items.map((s) => ({
        id: s.id,
        current: s.id === auth.session_id,
        created_at: s.created_at,
        last_used_at: s.last_used_at,
        ip: s.ip,
        device: s.device,
        location: s.location,
        mfa_satisfied: s.mfa_at !== null || s.amr.includes('mfa'),
      })),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentAuth() auth: AuthContext, @Param('id', uuidParam('session_not_found', 'No such session.')) id: string) {
    await this.gateway.run(new RevokeSession(auth.user_id, id, 'user', auth.user_id));
  }

  @Post('revoke-all')
  @HttpCode(200)
  async revokeAll(@CurrentAuth() auth: AuthContext) {
    const r = await this.gateway.run<{ position: number; count: number }>(
      new RevokeOtherSessions(auth.user_id, auth.session_id, 'revoke_all'),
    );
    return { revoked: r.count };
  }
}
