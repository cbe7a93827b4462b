import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { logger } from '../shared/logger.js';
import type { EnqueueOptions, JobHandler, JobQueue, RepeatOptions } from './job-queue.port.js';

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 1000;
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 25;
/**
 * BullMQ dedups a jobId only while the job's hash exists. Completed jobs are kept for 24 h (by
 * age), so a re-delivered event within a day is still a no-op: reactors re-deliver after a crash
 * or restart, which is minutes, not days. Failed jobs are kept 7 days for operators (and dedup).
 */
export const COMPLETED_RETENTION_SECONDS = 24 * 3600;
export const FAILED_RETENTION_SECONDS = 7 * 24 * 3600;
/** BullMQ's delayed set scores are timestamp * 0x1000 + counter (commands/includes/getDelayedScore.lua). */
const DELAYED_SCORE_FACTOR = 0x1000;

/**
 * BullMQ refuses ':' in queue names and in custom job ids (unless there are exactly three parts,
 * a legacy repeat format), and refuses job ids that look like integers. Our ids are event ids
 * like `mail:MfaEnrolled:<uuid>`, so they are escaped reversibly: '%' -> %25, ':' -> %3A, and an
 * integer-looking id gets the prefix '%N' (which escaping alone can never produce).
 */
export function encodeJobId(id: string): string {
  const escaped = id.replace(/%/g, '%25').replace(/:/g, '%3A');
  return `${parseInt(escaped, 10)}` === escaped ? `%N${escaped}` : escaped;
}

export function decodeJobId(encoded: string): string {
  const body = encoded.startsWith('%N') ? encoded.slice(2) : encoded;
  return body.replace(/%(25|3A)/g, (_, code: string) => (code === '25' ? '%' : ':'));
}

export interface BullMqJobQueueOptions {
  redisUrl: string;
  /** Redis key prefix of every queue (default `plq`). */
  prefix?: string;
}

/**
 * The production job queue: one BullMQ Queue and Worker per job name on Redis. One ioredis client
 * is shared by the queues; each Worker duplicates it for its own (blocking) connections, which
 * BullMQ owns and closes. BullMQ's ESM build cannot load ioredis itself (no `require`), so the
 * client instance is always passed in.
 */
export class BullMqJobQueue implements JobQueue {
  readonly kind = 'bullmq';
  readonly prefix: string;
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private readonly handlers = new Map<string, { handler: JobHandler; concurrency: number }>();
  private started = false;
  private closing: Promise<void> | null = null;

  constructor(options: BullMqJobQueueOptions) {
    this.prefix = options.prefix ?? 'plq';
    // Workers need maxRetriesPerRequest: null (blocking commands must not give up); BullMQ checks it.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    // Never log the error object: its message can quote the URL, which may carry a password.
    this.connection.on('error', (err: NodeJS.ErrnoException) =>
      logger.warn({ err_code: err?.code, err_name: err?.name }, 'job queue: redis connection error'),
    );
  }

  register<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.handlers.has(name)) throw new Error(`a handler for job "${name}" is already registered`);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
    this.handlers.set(name, { handler: handler as JobHandler, concurrency });
    if (this.started) this.startWorker(name);
  }

  async enqueue<T>(name: string, data: T, options: EnqueueOptions = {}): Promise<void> {
    this.assertOpen();
    if (options.jobId === '') throw new Error('jobId must not be empty');
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    if (!Number.isInteger(attempts) || attempts < 1) throw new Error('attempts must be a positive integer');
    // With an existing jobId (waiting, delayed, active, completed or failed) add() is a no-op.
    await this.queue(name).add(name, data ?? null, {
      jobId: options.jobId === undefined ? undefined : encodeJobId(options.jobId),
      delay: Math.max(0, options.delayMs ?? 0),
      attempts,
      backoff: { type: 'exponential', delay: Math.max(0, options.backoffMs ?? DEFAULT_BACKOFF_MS) },
    });
  }

  async repeat<T>(name: string, data: T, options: RepeatOptions): Promise<void> {
    this.assertOpen();
    if (!Number.isInteger(options.everyMs) || options.everyMs < 1) throw new Error('everyMs must be a positive integer');
    // `every` alone fires at once; startDate makes the first tick one interval out, like the embedded
    // queue. Re-registering with the same interval keeps the existing cadence (BullMQ ignores startDate then).
    await this.queue(name).upsertJobScheduler(
      encodeJobId(options.key),
      { every: options.everyMs, startDate: Date.now() + options.everyMs },
      {
        name,
        data: data ?? null,
        // A failed tick is superseded by the next one; ticks need no dedup history.
        opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }

  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    for (const name of this.handlers.keys()) this.startWorker(name);
    await Promise.all([...this.workers.values()].map((w) => w.waitUntilReady()));
  }

  /**
   * Resolves when, for every registered job name, nothing is waiting or active and no delayed job
   * (a delay or a retry backoff) is due. Names without a handler here are not waited for: no
   * worker of this process would ever run them.
   */
  async drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closing || (await this.idle())) return;
      if (Date.now() >= deadline) throw new Error('drain timeout');
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        // Workers first: close() waits for running handlers, then releases their own connections.
        await Promise.allSettled([...this.workers.values()].map((w) => w.close()));
        await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
        try {
          await this.connection.quit();
        } catch {
          this.connection.disconnect();
        }
      })();
    }
    return this.closing;
  }

  /** Jobs that exhausted their attempts, for operators and tests (same shape as the embedded queue). */
  async failed(): Promise<Array<{ id: string; name: string; attempts: number; last_error: string | null }>> {
    const out = [];
    for (const [name, queue] of this.queues) {
      for (const job of await queue.getFailed()) {
        if (!job?.id) continue;
        out.push({ id: decodeJobId(job.id), name, attempts: job.attemptsMade, last_error: job.failedReason ?? null });
      }
    }
    return out;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('job queue is closed');
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(encodeJobId(name), {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: {
          removeOnComplete: { age: COMPLETED_RETENTION_SECONDS },
          removeOnFail: { age: FAILED_RETENTION_SECONDS },
        },
      });
      queue.on('error', (err: Error) => logger.warn({ job: name, err_name: err?.name }, 'job queue: queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private startWorker(name: string): void {
    const { handler, concurrency } = this.handlers.get(name)!;
    this.queue(name); // drain() inspects the queue of every registered name
    const worker = new Worker(
      encodeJobId(name),
      async (job: Job) => {
        // attemptsMade counts finished (failed) attempts; the one starting now is the next.
        await handler(job.data, { id: decodeJobId(job.id ?? ''), name, attempt: job.attemptsMade + 1 });
      },
      { connection: this.connection, prefix: this.prefix, concurrency },
    );
    // Job data and error messages may hold addresses: log names, ids and counts only.
    worker.on('failed', (job: Job | undefined, err: Error) => {
      const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1);
      const log = { job: name, job_id: job?.id ? decodeJobId(job.id) : undefined, attempt: job?.attemptsMade, err_name: err?.name };
      if (final) logger.error(log, 'job failed permanently');
      else logger.warn(log, 'job failed; retry scheduled');
    });
    worker.on('error', (err: Error) => logger.warn({ job: name, err_name: err?.name }, 'job queue: worker error'));
    this.workers.set(name, worker);
  }

  private async idle(): Promise<boolean> {
    const now = Date.now();
    for (const name of this.handlers.keys()) {
      const queue = this.queue(name);
      const counts = await queue.getJobCounts('wait', 'active', 'prioritized');
      if ((counts.wait ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0) > 0) return false;
      const head = await this.connection.zrange(queue.keys.delayed, '0', '0', 'WITHSCORES');
      if (head.length === 2 && Math.floor(Number(head[1]) / DELAYED_SCORE_FACTOR) <= now) return false;
    }
    return true;
  }
}
