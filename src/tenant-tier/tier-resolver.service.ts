import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { tenantTiersProjection } from '../../projections/tenant-tiers.js';
import type { TenantType } from '../identity/tenants/tenant.decider.js';
import type { TierSnapshotDoc } from '../../projections/tenant-tiers.js';
import { MemoryTierCache, RedisTierCache, type TierCache } from './tier-cache.js';
import { matrixAllows, matrixSubsystems, ruleFor } from './tier-matrix.js';

/** GET /me/tenant-tier (F02.10.06). */
export interface TierSnapshot {
  tenant_id: string;
  tenant_type: TenantType;
  all_access: boolean;
  allowed_subsystems: string[];
  addons: Array<{ subsystem_id: string; expires_at: string | null }>;
  included_domains: string[];
  excluded_subsystems: string[];
  version: number;
}

export interface TierCacheStats {
  backend: 'redis' | 'memory';
  hits: number;
  misses: number;
  read_model_reads: number;
  /** Requests answered from the read model because the cache failed (Redis down). */
  fallbacks: number;
  /** Tenants whose invalidation failed and is retried when Redis is back. */
  pending_invalidations: number;
}

const FALLBACK_LOG_EVERY_MS = 10_000;

/**
 * is_subsystem_allowed (F02.10.03): all-access -> matrix -> live add-ons, from a snapshot cached
 * for 5 minutes (Redis when REDIS_URL is set, in-process otherwise). A failing cache never fails
 * the request: it is answered from the read model, logged (at most every 10 s) and counted.
 * Mutations call `invalidate` after their read models caught up and before they answer; it writes
 * the fresh snapshot through (compare-and-set on version), so every process sees it next.
 */
@Injectable()
export class TierResolver implements OnModuleInit, OnApplicationShutdown {
  private cache!: TierCache;
  private readonly counters = { hits: 0, misses: 0, read_model_reads: 0, fallbacks: 0 };
  private readonly pending = new Set<string>();
  private lastFallbackLog = 0;
  /** Bumped whenever the in-process cache is dropped: a read that began before must not refill it. */
  private epoch = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly projections: ProjectionEngine,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.redisUrl) {
      const redis = await RedisTierCache.connect(this.config.redisUrl, this.config.redisPrefix);
      redis.onReady(() => void this.retryPending());
      this.cache = redis;
    } else {
      // One cache per process: another process's mutation reaches it through this process's own
      // subscription to the log (SQLite: the 100 ms poll; PostgreSQL: NOTIFY), not after 5 minutes.
      const memory = new MemoryTierCache(() => this.clock.now().getTime());
      const types = new Set(tenantTiersProjection.handles);
      this.projections.onPage((events) => {
        if (!events.some((e) => types.has(e.type))) return;
        // tier events are rare (a tenant created, an add-on granted or ended): drop everything
        this.epoch++;
        memory.clear();
      });
      this.cache = memory;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cache?.close();
  }

  stats(): TierCacheStats {
    return { backend: this.cache.kind, ...this.counters, pending_invalidations: this.pending.size };
  }

  /** The tenant's snapshot document, cached; null for an unknown tenant. */
  async snapshotDoc(tenantId: string): Promise<TierSnapshotDoc | null> {
    let cacheOk = true;
    try {
      const cached = await this.cache.get(tenantId);
      if (cached) {
        this.counters.hits++;
        return cached;
      }
      this.counters.misses++;
    } catch (err) {
      cacheOk = false;
      this.fallback(err, 'get');
    }
    const epoch = this.epoch;
    const doc = await this.readModel(tenantId);
    if (doc && cacheOk && epoch === this.epoch) await this.cache.put(doc).catch((err) => this.fallback(err, 'put'));
    return doc;
  }

  async snapshot(tenantId: string): Promise<TierSnapshot | null> {
    const doc = await this.snapshotDoc(tenantId);
    return doc ? this.derive(doc) : null;
  }

  /** The gate's question. `tenant_type` is null for a tenant that does not exist. */
  async isSubsystemAllowed(tenantId: string, subsystem: string): Promise<{ allowed: boolean; tenant_type: TenantType | null }> {
    const doc = await this.snapshotDoc(tenantId);
    if (!doc) return { allowed: false, tenant_type: null };
    const type = doc.tenant_type as TenantType;
    const now = this.clock.now().getTime();
    const allowed =
      matrixAllows(type, subsystem) ||
      doc.addons.some((a) => a.subsystem_id === subsystem && (a.expires_at === null || Date.parse(a.expires_at) > now));
    return { allowed, tenant_type: type };
  }

  /** After a mutation's projections caught up: the fresh snapshot replaces the cached one everywhere. */
  async invalidate(tenantId: string): Promise<void> {
    try {
      const doc = await this.readModel(tenantId);
      if (doc) await this.cache.put(doc);
      else await this.cache.delete(tenantId);
      this.pending.delete(tenantId);
    } catch (err) {
      this.pending.add(tenantId);
      this.fallback(err, 'invalidate');
    }
  }

  derive(doc: TierSnapshotDoc): TierSnapshot {
    const type = doc.tenant_type as TenantType;
    const rule = ruleFor(type);
    const now = this.clock.now().getTime();
    const addons = doc.addons
      .filter((a) => a.expires_at === null || Date.parse(a.expires_at) > now)
      .map((a) => ({ subsystem_id: a.subsystem_id, expires_at: a.expires_at }))
      .sort((a, b) => a.subsystem_id.localeCompare(b.subsystem_id));
    return {
      tenant_id: doc.tenant_id,
      tenant_type: type,
      all_access: rule.all_access,
      allowed_subsystems: rule.all_access ? ['*'] : [...new Set([...matrixSubsystems(type), ...addons.map((a) => a.subsystem_id)])].sort(),
      addons,
      included_domains: [...rule.included_domains],
      excluded_subsystems: [...rule.excluded_subsystems],
      version: doc.version,
    };
  }

  private async readModel(tenantId: string): Promise<TierSnapshotDoc | null> {
    this.counters.read_model_reads++;
    return this.reads.collection<TierSnapshotDoc>('tenant_tiers').get(tenantId);
  }

  private async retryPending(): Promise<void> {
    for (const id of [...this.pending]) await this.invalidate(id);
  }

  private fallback(err: unknown, op: string): void {
    this.counters.fallbacks++;
    const now = Date.now();
    if (now - this.lastFallbackLog < FALLBACK_LOG_EVERY_MS) return;
    this.lastFallbackLog = now;
    const e = err as NodeJS.ErrnoException;
    logger.warn(
      { op, err_name: e?.name, err_message: e?.message, fallbacks: this.counters.fallbacks, backend: this.cache.kind },
      'tier cache unavailable; answered from the read model',
    );
  }
}
