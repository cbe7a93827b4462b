import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { tenantEvolver, tenantStream, type TenantType } from '../identity/tenants/tenant.decider.js';
import type { AddonView } from '../../projections/tenant-tiers.js';
import {
  decideChangeType,
  decideExpire,
  decideGrant,
  decideRevoke,
  tierEvolver,
  tierStream,
  type Addon,
  type TierEvent,
  type TierState,
} from './tier.decider.js';
import { scanAll } from '../readstore/scan.js';

export class GrantAddon {
  constructor(
    readonly tenantId: string,
    readonly subsystemId: string,
    readonly expiresAt: string | null,
    readonly billingReference: string | null,
    readonly reason: string,
    readonly by: string | null,
  ) {}
}
export class RevokeAddon {
  constructor(
    readonly tenantId: string,
    readonly addonId: string,
    readonly reason: string | null,
    readonly by: string | null,
  ) {}
}
export class ChangeTenantType {
  constructor(
    readonly tenantId: string,
    readonly tenantType: TenantType,
    readonly reason: string,
    readonly by: string | null,
  ) {}
}
/** Expires the due add-ons of every tenant (the 15-minute job, `tiers:expire-addons`). */
export class ExpireAddons {}

/** Runs a tier decision on `tenant-tier-{id}`, starting from the type the tenant was created with. */
async function onTier(repo: AggregateRepository, tenantId: string, decide: (s: TierState) => TierEvent[], retryOnConflict = true) {
  const { state: tenant } = await repo.load(tenantStream(tenantId), tenantEvolver);
  return repo.execute<TierState, TierEvent>(
    tierStream(tenantId),
    tierEvolver(tenantId, tenant.exists ? tenant.tenant_type : null),
    decide,
    {
      retryOnConflict,
    },
  );
}

@CommandHandler(GrantAddon)
export class GrantAddonHandler implements ICommandHandler<GrantAddon, { position: number; addon: Addon }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: GrantAddon) {
    const addonId = randomUUID();
    // re-deciding after a conflict is safe: a concurrent grant of the same subsystem then answers 409
    const r = await onTier(this.repo, cmd.tenantId, (s) =>
      decideGrant(s, {
        addon_id: addonId,
        subsystem_id: cmd.subsystemId,
        expires_at: cmd.expiresAt,
        billing_reference: cmd.billingReference,
        reason: cmd.reason,
        by: cmd.by,
        now: this.clock.now(),
      }),
    );
    return { position: r.position, addon: r.state.addons[addonId]! };
  }
}

@CommandHandler(RevokeAddon)
export class RevokeAddonHandler implements ICommandHandler<RevokeAddon, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: RevokeAddon) {
    const r = await onTier(this.repo, cmd.tenantId, (s) =>
      decideRevoke(s, { addon_id: cmd.addonId, reason: cmd.reason, by: cmd.by, now: this.clock.now() }),
    );
    return { position: r.position };
  }
}

@CommandHandler(ChangeTenantType)
export class ChangeTenantTypeHandler implements ICommandHandler<ChangeTenantType, { position: number; previous_type: TenantType }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: ChangeTenantType) {
    let previous: TenantType | null = null;
    const r = await onTier(this.repo, cmd.tenantId, (s) => {
      previous = s.tenant_type;
      return decideChangeType(s, { tenant_type: cmd.tenantType, reason: cmd.reason, by: cmd.by, now: this.clock.now() });
    });
    return { position: r.position, previous_type: previous! };
  }
}

const PAGE = 200;

/**
 * Finds due add-ons through the read model's (status, expires_at) index, then lets each
 * tenant's stream decide (the stream is the truth: an add-on revoked meanwhile is skipped).
 */
@CommandHandler(ExpireAddons)
export class ExpireAddonsHandler implements ICommandHandler<ExpireAddons, { position: number; expired: number; tenant_ids: string[] }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute() {
    const now = this.clock.now();
    const tenants = new Set<string>();
    const due = scanAll(this.reads.collection<AddonView>('tenant_tier_addons'), {
      where: { status: 'active', expires_at: { lte: now.toISOString() } },
      sort: [['expires_at', 'asc']],
      limit: PAGE,
    });
    for await (const a of due) if (a.expires_at !== null) tenants.add(a.tenant_id);
    let position = 0;
    let expired = 0;
    const touched: string[] = [];
    for (const tenantId of tenants) {
      const r = await onTier(this.repo, tenantId, (s) => decideExpire(s, now));
      if (!r.appended) continue;
      expired += r.events.length;
      position = Math.max(position, r.position);
      touched.push(tenantId);
    }
    return { position, expired, tenant_ids: touched };
  }
}
