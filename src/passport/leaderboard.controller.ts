import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth } from '../identity/auth/decorators.js';
import { RequiresSubsystem } from '../tenant-tier/requires-subsystem.js';
import { PassportLeaderboardQuery } from './passport.dto.js';
import { PassportAccess } from './passport-access.js';
import { readLeaderboard } from './leaderboard-read.js';

/** The chain leaderboard (F02.09.09) for the chain's players, admins and staff. */
@ApiTags('passport')
@ApiBearerAuth()
@RequiresSubsystem('F02.09')
@Controller('chain/leaderboard')
export class PassportLeaderboardController {
  constructor(
    private readonly access: PassportAccess,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async get(@CurrentAuth() auth: AuthContext, @Query() q: PassportLeaderboardQuery) {
    const chainId = q.chain_id.toLowerCase();
    await this.access.inChain(auth, chainId);
    const period = q.period ?? 'alltime';
    const venue = q.venue_id?.toLowerCase() ?? null;
    const page = await readLeaderboard(this.reads, {
      chain_id: chainId,
      venue_id: venue,
      period,
      now: this.clock.now(),
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return { chain_id: chainId, venue_id: venue, period, ...page };
  }
}
