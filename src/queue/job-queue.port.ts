/**
 * The job-queue port: BullMQ on Redis when REDIS_URL is set, otherwise a durable in-process
 * runner on the embedded SQLite file. Both pass test/contract/job-queue.contract.ts.
 */
export interface JobContext {
  id: string;
  /** 1 for the first attempt. */
  attempt: number;
  name: string;
}

export type JobHandler<T = any> = (data: T, ctx: JobContext) => Promise<void>;

export interface EnqueueOptions {
  /** Dedup key: a job with an id that was already enqueued (pending or done) is not added again. */
  jobId?: string;
  delayMs?: number;
  /** Total attempts including the first (default 5). */
  attempts?: number;
  /** Exponential backoff base in ms (default 1000): delay = base * 2^(attempt-1). */
  backoffMs?: number;
}

export interface RepeatOptions {
  everyMs: number;
  /** Stable key of the repeatable schedule (re-registering replaces it). */
  key: string;
}

export interface JobQueue {
  readonly kind: string;
  /** Registers the worker for a job name. Handlers must be registered before start(). */
  register<T>(name: string, handler: JobHandler<T>, options?: { concurrency?: number }): void;
  enqueue<T>(name: string, data: T, options?: EnqueueOptions): Promise<void>;
  repeat<T>(name: string, data: T, options: RepeatOptions): Promise<void>;
  start(): Promise<void>;
  /** Resolves when no job is waiting or running and no delayed job is due (tests, graceful shutdown). Repeatable schedules are ignored. */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');
