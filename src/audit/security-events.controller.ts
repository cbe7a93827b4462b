import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { READ_STORE, type FindQuery, type ReadStore, type Where } from '../readstore/read-store.port.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { AllowWithoutMfa, CurrentAuth } from '../identity/auth/decorators.js';
import type { SecurityEventView } from '../../projections/security-events.js';

export class SecurityEventsQuery {
  @IsOptional() @IsString() @Matches(/^[a-z_]{1,64}$/) type?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
}

/** A page of an append-only event list, newest first, filtered by `where` and the query's type. */
export const newestFirst = (where: Where, q: SecurityEventsQuery): FindQuery => ({
  where: { ...where, ...(q.type ? { type: q.type } : {}) },
  sort: [
    ['occurred_at', 'desc'],
    ['position', 'desc'],
  ],
  limit: q.limit ?? 50,
  cursor: q.cursor ?? null,
});

/** The caller's own SecurityEvents, newest first (F02.07.10). Read-only by construction. */
@ApiTags('audit')
@ApiBearerAuth()
@AllowWithoutMfa()
@Controller('auth/security-events')
export class SecurityEventsController {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  @Get()
  async list(@CurrentAuth() auth: AuthContext, @Query() q: SecurityEventsQuery) {
    const page = await this.reads.collection<SecurityEventView>('security_events').find(newestFirst({ user_id: auth.user_id }, q));
    return {
      items: page.items.map(({ id, type, occurred_at, ip, device, location, details }) => ({
        id,
        type,
        occurred_at,
        ip,
        device,
        location,
        details,
      })),
      next_cursor: page.next_cursor,
    };
  }
}
