import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { READ_STORE, type ReadStore, type Where } from '../readstore/read-store.port.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { notFound } from '../shared/errors.js';
import { isUuid, uuidParam } from '../shared/ids.js';
import type { AuthContext } from '../identity/auth/auth-context.js';
import { CurrentAuth, RequiresFreshMfa, RequiresSysRole } from '../identity/auth/decorators.js';
import { CreateTenant } from '../identity/tenants/tenant.handlers.js';
import type { AddonView, TierSnapshotDoc } from '../../projections/tenant-tiers.js';
import type { OperatorAuditView } from '../../projections/operator-audit.js';
import type { Addon } from './tier.decider.js';
import { AuditQuery, ChangeTenantTypeDto, CreateTenantDto, GrantAddonDto, RevokeAddonDto, TenantsQuery } from './tier.dto.js';
import { ChangeTenantType, GrantAddon, RevokeAddon } from './tier.handlers.js';
import { TierResolver } from './tier-resolver.service.js';

const TENANT_ID = () => uuidParam('tenant_not_found', 'No such tenant.');
const ALL_SYS = ['support', 'finance', 'security'];
const tenantItem = (t: TierSnapshotDoc) => ({
  id: t.tenant_id,
  name: t.name,
  country: t.country,
  tenant_type: t.tenant_type,
  created_at: t.created_at,
});
const addonItem = (a: AddonView) => ({
  addon_id: a.addon_id,
  subsystem_id: a.subsystem_id,
  status: a.status,
  expires_at: a.expires_at,
  billing_reference: a.billing_reference,
  reason: a.reason,
  granted_at: a.granted_at,
  granted_by: a.granted_by,
  ended_at: a.ended_at,
  ended_by: a.ended_by,
});

/**
 * The operator API (F02.10.05) and tenant creation. Role separation: reading is for every sys
 * role; add-ons for finance and security; the type only for security with a fresh second factor.
 * Every mutation refreshes the tenant's cached snapshot before it answers.
 */
@ApiTags('sys')
@ApiBearerAuth()
@Controller('sys')
export class SysTenantsController {
  constructor(
    private readonly gateway: CommandGateway,
    private readonly resolver: TierResolver,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post('tenants')
  @RequiresSysRole('support', 'security')
  @HttpCode(201)
  async create(@CurrentAuth() auth: AuthContext, @Body() dto: CreateTenantDto) {
    const a = dto.admin;
    const r = await this.gateway.run<{
      tenant_id: string;
      user_id: string;
      admin_created: boolean;
      set_password_link_sent: boolean;
      position: number;
    }>(
      new CreateTenant(
        dto.name,
        dto.tenant_type,
        dto.country,
        { email: a.email, display_name: a.display_name, password: a.password ?? null, language: a.language ?? 'en' },
        auth.user_id,
      ),
    );
    const { position: _p, ...body } = r;
    return { ...body, tenant_type: dto.tenant_type, country: dto.country };
  }

  @Get('tenants')
  @RequiresSysRole(...ALL_SYS)
  async list(@Query() q: TenantsQuery) {
    const tiers = this.reads.collection<TierSnapshotDoc>('tenant_tiers');
    const text = q.q?.trim().toLowerCase();
    if (text && isUuid(text)) {
      const t = await tiers.get(text);
      return { items: t && (!q.type || t.tenant_type === q.type) ? [tenantItem(t)] : [], next_cursor: null };
    }
    const where: Where = {};
    if (q.type) where.tenant_type = q.type;
    if (text) where.name_lc = { gte: text, lt: `${text}\uffff` }; // name prefix
    const page = await tiers.find({
      where,
      sort: text ? [['name_lc', 'asc']] : [['created_at', 'desc']],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return { items: page.items.map(tenantItem), next_cursor: page.next_cursor };
  }

  @Get('tenants/:tenant_id/tier')
  @RequiresSysRole(...ALL_SYS)
  async tier(@Param('tenant_id', TENANT_ID()) tenantId: string) {
    const doc = await this.tenant(tenantId);
    const snap = this.resolver.derive(doc);
    const history = await this.reads
      .collection<AddonView>('tenant_tier_addons')
      .find({ where: { tenant_id: tenantId }, sort: [['granted_at', 'desc']], limit: 100 });
    const live = new Set(snap.addons.map((a) => a.subsystem_id));
    return {
      ...snap,
      name: doc.name,
      country: doc.country,
      addons: history.items.filter((a) => a.status === 'active' && live.has(a.subsystem_id)).map(addonItem),
      addon_history: history.items.map(addonItem),
    };
  }

  @Post('tenants/:tenant_id/tier/addons')
  @RequiresSysRole('finance', 'security')
  @HttpCode(201)
  async grant(@CurrentAuth() auth: AuthContext, @Param('tenant_id', TENANT_ID()) tenantId: string, @Body() dto: GrantAddonDto) {
    await this.tenant(tenantId);
    const r = await this.gateway.run<{ position: number; addon: Addon }>(
      new GrantAddon(
        tenantId,
        dto.subsystem_id,
        dto.expires_at ? new Date(dto.expires_at).toISOString() : null,
        dto.billing_reference ?? null,
        dto.reason,
        auth.user_id,
      ),
    );
    await this.resolver.invalidate(tenantId);
    const { status, ...addon } = r.addon;
    return { tenant_id: tenantId, ...addon, status };
  }

  @Delete('tenants/:tenant_id/tier/addons/:addon_id')
  @RequiresSysRole('finance', 'security')
  async revoke(
    @CurrentAuth() auth: AuthContext,
    @Param('tenant_id', TENANT_ID()) tenantId: string,
    @Param('addon_id', uuidParam('addon_not_found', 'No such add-on for this tenant.')) addonId: string,
    @Body() dto: RevokeAddonDto,
  ) {
    await this.tenant(tenantId);
    await this.gateway.run(new RevokeAddon(tenantId, addonId, dto?.reason ?? null, auth.user_id));
    await this.resolver.invalidate(tenantId);
    return { tenant_id: tenantId, addon_id: addonId, status: 'revoked' };
  }

  @Patch('tenants/:tenant_id/tier/type')
  @RequiresSysRole('security')
  @RequiresFreshMfa()
  async changeType(@CurrentAuth() auth: AuthContext, @Param('tenant_id', TENANT_ID()) tenantId: string, @Body() dto: ChangeTenantTypeDto) {
    await this.tenant(tenantId);
    const r = await this.gateway.run<{ position: number; previous_type: string }>(
      new ChangeTenantType(tenantId, dto.tenant_type, dto.reason, auth.user_id),
    );
    await this.resolver.invalidate(tenantId);
    return { tenant_id: tenantId, tenant_type: dto.tenant_type, previous_type: r.previous_type };
  }

  /** The operator audit: tenant creation, add-ons, type changes, sys-role changes, matrix drift. */
  @Get('audit')
  @RequiresSysRole(...ALL_SYS)
  async audit(@Query() q: AuditQuery) {
    const where: Where = {};
    if (q.tenant_id) where.tenant_id = q.tenant_id.toLowerCase();
    if (q.type) where.type = q.type;
    const page = await this.reads.collection<OperatorAuditView>('operator_audit').find({
      where,
      sort: [
        ['occurred_at', 'desc'],
        ['position', 'desc'],
      ],
      limit: q.limit ?? 50,
      cursor: q.cursor ?? null,
    });
    return {
      items: page.items.map(({ id, tenant_id, type, occurred_at, actor_id, ip, details }) => ({
        id,
        tenant_id,
        type,
        occurred_at,
        actor_id,
        ip,
        details,
      })),
      next_cursor: page.next_cursor,
    };
  }

  /** Cache counters (hits, misses, read-model reads, Redis fallbacks) for operators and tests. */
  @Get('tenant-tier/cache')
  @RequiresSysRole(...ALL_SYS)
  cache() {
    return this.resolver.stats();
  }

  private async tenant(tenantId: string): Promise<TierSnapshotDoc> {
    const doc = await this.reads.collection<TierSnapshotDoc>('tenant_tiers').get(tenantId.toLowerCase());
    if (!doc) throw notFound('tenant_not_found', 'No such tenant.');
    return doc;
  }
}
