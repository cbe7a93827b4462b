import { join } from 'node:path';
import type { JobQueue } from './job-queue.port.js';

/**
 * Picks the job-queue adapter from configuration: BullMQ when REDIS_URL is set, otherwise the
 * durable in-process runner on `${dataDir}/queue.sqlite`. The imports are dynamic so neither
 * profile loads the other's driver (BullMQ and ioredis stay unloaded in the embedded profile).
 */
export async function createJobQueue(config: { redisUrl: string | null; dataDir: string; prefix?: string }): Promise<JobQueue> {
  if (config.redisUrl) {
    const { BullMqJobQueue } = await import('./bullmq-job-queue.js');
    return new BullMqJobQueue({ redisUrl: config.redisUrl, prefix: config.prefix });
  }
  const { EmbeddedJobQueue } = await import('./embedded-job-queue.js');
  return new EmbeddedJobQueue(join(config.dataDir, 'queue.sqlite'));
}
