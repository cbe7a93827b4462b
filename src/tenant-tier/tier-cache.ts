import type { Redis } from 'ioredis';
import { logger } from '../shared/logger.js';
import type { TierSnapshotDoc } from '../../projections/tenant-tiers.js';

export const TIER_CACHE_TTL_SECONDS = 300;

/**
 * Where tier snapshots are cached for 5 minutes. `put` never replaces a newer version, so a
 * reader that fetched an old snapshot just before a mutation cannot undo that mutation's
 * refresh. Errors are the caller's to handle (the resolver falls back to the read model).
 */
export interface TierCache {
  readonly kind: 'redis' | 'memory';
  get(tenantId: string): Promise<TierSnapshotDoc | null>;
  put(doc: TierSnapshotDoc): Promise<void>;
  delete(tenantId: string): Promise<void>;
  close(): Promise<void>;
}

/** The embedded default: one Map per process (TierResolver drops it on another process's tier events). Times from the injected clock. */
export class MemoryTierCache implements TierCache {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { doc: TierSnapshotDoc; until: number }>();
  constructor(private readonly now: () => number) {}
  async get(tenantId: string) {
    const e = this.entries.get(tenantId);
    if (!e) return null;
    if (e.until <= this.now()) {
      this.entries.delete(tenantId);
      return null;
    }
    return e.doc;
  }
  async put(doc: TierSnapshotDoc) {
    const cur = this.entries.get(doc.tenant_id);
    if (cur && cur.doc.version > doc.version) return;
    this.entries.set(doc.tenant_id, { doc, until: this.now() + TIER_CACHE_TTL_SECONDS * 1000 });
  }
  async delete(tenantId: string) {
    this.entries.delete(tenantId);
  }
  clear(): void {
    this.entries.clear();
  }
  async close() {
    this.entries.clear();
  }
}

// SET unless the cached document has a higher version (compare-and-set in one round trip).
const PUT_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, v = pcall(cjson.decode, cur)
  if ok and type(v) == 'table' and tonumber(v.version) and tonumber(v.version) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * Redis, shared by every app process: keys `tenant_tier:{tenant_id}` (with REDIS_PREFIX,
 * `{prefix}:tenant_tier:{tenant_id}`). The client fails fast (no offline queue, one try, short
 * timeouts) so a dead Redis costs a request milliseconds, not seconds.
 */
export class RedisTierCache implements TierCache {
  readonly kind = 'redis' as const;
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string | null,
  ) {
    redis.on('error', (err: NodeJS.ErrnoException) => logger.debug({ err_code: err?.code }, 'tier cache: redis connection error'));
  }

  static async connect(url: string, prefix: string | null): Promise<RedisTierCache> {
    const { Redis } = await import('ioredis');
    const client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 500,
      commandTimeout: 500,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    client.connect().catch(() => undefined); // the first error is logged and handled per command
    return new RedisTierCache(client, prefix);
  }

  key(tenantId: string): string {
    return this.prefix ? `${this.prefix}:tenant_tier:${tenantId}` : `tenant_tier:${tenantId}`;
  }
  onReady(fn: () => void): void {
    this.redis.on('ready', fn);
  }
  async get(tenantId: string) {
    const raw = await this.redis.get(this.key(tenantId));
    return raw ? (JSON.parse(raw) as TierSnapshotDoc) : null;
  }
  async put(doc: TierSnapshotDoc) {
    await this.redis.eval(
      PUT_IF_NEWER,
      1,
      this.key(doc.tenant_id),
      JSON.stringify(doc),
      String(doc.version),
      String(TIER_CACHE_TTL_SECONDS),
    );
  }
  async delete(tenantId: string) {
    await this.redis.del(this.key(tenantId));
  }
  async close() {
    this.redis.disconnect();
  }
}
