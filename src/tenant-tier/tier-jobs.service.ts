import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.port.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { sha256Hex } from '../shared/crypto.js';
import { logger } from '../shared/logger.js';
import { packageRoot } from '../shared/package-root.js';
import { differingTypes, matrixHash } from './tier-matrix.js';
import { ExpireAddons } from './tier.handlers.js';
import { TierResolver } from './tier-resolver.service.js';

export const TIER_JOBS = { expireAddons: 'tier-addon-expiry', auditMatrix: 'tier-matrix-audit' } as const;
export const EXPIRE_EVERY_MS = 15 * 60_000;
export const AUDIT_EVERY_MS = 60 * 60_000;
export const MATRIX_AUDIT_STREAM = 'tier-matrix-audit';

/** The published copy kept in the repository, found from the package root (works from src/ and dist/). */
export function publishedMatrixFile(): string {
  return join(packageRoot(), 'web', 'src', 'data', 'tenant-tiers.json');
}

/**
 * F02.10.09: add-on expiry every 15 minutes and the matrix drift audit every hour, as repeatable
 * jobs (BullMQ job schedulers on Redis, the embedded runner's schedules otherwise: one tick per
 * interval across every process). The CLI runs the same two methods by hand.
 */
@Injectable()
export class TierJobs implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: CommandGateway,
    private readonly repo: AggregateRepository,
    private readonly resolver: TierResolver,
    private readonly projections: ProjectionEngine,
  ) {}

  async onModuleInit(): Promise<void> {
    this.queue.register(TIER_JOBS.expireAddons, async () => void (await this.expireAddons()));
    this.queue.register(TIER_JOBS.auditMatrix, async () => void (await this.auditMatrix()));
    await this.queue.repeat(TIER_JOBS.expireAddons, {}, { everyMs: EXPIRE_EVERY_MS, key: TIER_JOBS.expireAddons });
    await this.queue.repeat(TIER_JOBS.auditMatrix, {}, { everyMs: AUDIT_EVERY_MS, key: TIER_JOBS.auditMatrix });
  }

  /** One AddonExpired per due add-on; each touched tenant's cached snapshot is replaced before returning. */
  async expireAddons(): Promise<{ expired: number; tenant_ids: string[] }> {
    const r = await this.gateway.run<{ position: number; expired: number; tenant_ids: string[] }>(new ExpireAddons(), 10_000);
    for (const id of r.tenant_ids) await this.resolver.invalidate(id);
    if (r.expired) logger.info({ expired: r.expired, tenants: r.tenant_ids.length }, 'tier add-ons expired');
    return { expired: r.expired, tenant_ids: r.tenant_ids };
  }

  /** Byte comparison of the served matrix with the published copy; a mismatch appends TierMatrixDriftDetected. */
  async auditMatrix(): Promise<{ drift: boolean; differing_types: string[]; source: string }> {
    const source = this.config.tierMatrixUrl ?? publishedMatrixFile();
    const published = await this.fetchPublished(source);
    const differing = differingTypes(published);
    if (differing.length) {
      const r = await this.repo.append(
        MATRIX_AUDIT_STREAM,
        [
          {
            type: 'TierMatrixDriftDetected',
            data: { differing_types: differing, source, api_sha256: matrixHash(), published_sha256: sha256Hex(published) },
          },
        ],
        'any',
      );
      await this.projections.waitFor(r.events.at(-1)!.position, 10_000);
      logger.warn({ differing_types: differing, source }, 'tier matrix drift: the published copy differs from the API');
    }
    return { drift: differing.length > 0, differing_types: differing, source };
  }

  private async fetchPublished(source: string): Promise<Buffer> {
    if (!/^https?:\/\//.test(source)) return readFile(source);
    const res = await fetch(source, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
    if (!res.ok) throw new Error(`TIER_MATRIX_URL answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
}
