import { Controller, Get, Header, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa } from '../identity/auth/decorators.js';
import { assertTenantAdmin } from '../identity/members/members.controller.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { maskEmail } from '../shared/mask.js';
import type { MembershipView, UserView } from '../../projections/users.js';

/** One CSV field: quoted, and neutralised against spreadsheet formula injection. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/**
 * GET /tenants/{tenant_id}/export: the tenant's members and roles as CSV, for its treasurer
 * or admin. A "financial export" style endpoint: it always needs a fresh second factor.
 */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller('tenants/:tenant_id/export')
export class TenantExportController {
  constructor(@Inject(READ_STORE) private readonly reads: ReadStore) {}

  @Get()
  @RequiresFreshMfa()
  @ApiProduces('text/csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async export(@CurrentAuth() auth: AuthContext, @Param('tenant_id') tenantId: string): Promise<string> {
    await assertTenantAdmin(this.reads, auth, tenantId, ['tenant_admin', 'treasurer']);
    const lines = ['user_id,display_name,email_masked,roles,joined_at'];
    let cursor: string | null = null;
    do {
      const page = await this.reads
        .collection<MembershipView>('memberships')
        .find({ where: { tenant_id: tenantId }, sort: [['joined_at', 'asc']], limit: 500, cursor });
      const users = await Promise.all(page.items.map((m) => this.reads.collection<UserView>('users').get(m.user_id)));
      page.items.forEach((m, i) => {
        const u = users[i];
        lines.push([m.user_id, u?.display_name ?? '', u ? maskEmail(u.email) : '', m.roles.join(' '), m.joined_at].map(csvField).join(','));
      });
      cursor = page.next_cursor;
    } while (cursor);
    return `${lines.join('\r\n')}\r\n`;
  }
}
