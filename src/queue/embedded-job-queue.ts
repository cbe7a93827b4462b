import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { openSqlite } from '../shared/sqlite.js';
import { logger } from '../shared/logger.js';
import type { EnqueueOptions, JobHandler, JobQueue, RepeatOptions } from './job-queue.port.js';

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 1000;
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** Like BullMQ's maxStalledCount: a job interrupted by a crash is retried once more, then failed (poison-job guard). */
const MAX_STALLED = 1;
/** Another process (the CLI, a second server) may write to the same file; look for its jobs at least this often. */
const IDLE_POLL_MS = 5_000;
/**
 * An active job belongs to the process that claimed it for this long, renewed by that process's
 * heartbeat (every third of it). Only a job whose lease ran out is taken back as stalled: a second
 * server starting on the same file never re-runs the first one's running jobs.
 */
const DEFAULT_LEASE_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const DRAIN_POLL_MS = 10;
const MAX_ERROR_CHARS = 2_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  data          TEXT NOT NULL,
  run_at        INTEGER NOT NULL,
  attempts_made INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER NOT NULL,
  backoff_ms    INTEGER NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'done', 'failed')),
  last_error    TEXT,
  stalled_count INTEGER NOT NULL DEFAULT 0,
  schedule_key  TEXT,
  owner         TEXT,
  lease_until   INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (status, name, run_at);
CREATE TABLE IF NOT EXISTS job_schedules (
  key         TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  data        TEXT NOT NULL,
  every_ms    INTEGER NOT NULL,
  next_run_at INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);`;

interface JobRow {
  id: string;
  name: string;
  data: string;
  attempts_made: number;
  max_attempts: number;
  backoff_ms: number;
  schedule_key: string | null;
}
interface ScheduleRow {
  key: string;
  name: string;
  data: string;
  every_ms: number;
  next_run_at: number;
}
interface Registration {
  handler: JobHandler;
  concurrency: number;
  running: number;
}

export interface FailedJob {
  id: string;
  name: string;
  attempts: number;
  last_error: string | null;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive integer`);
  return value;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, MAX_ERROR_CHARS);
}

/**
 * The in-process job runner of the embedded profile, durable on a SQLite file: a job survives a
 * restart, a job interrupted by a crash runs again (at-least-once), and a jobId is remembered
 * forever (any status), so a reactor re-delivering an event never enqueues its side effect twice.
 * Timers are unref'd: the queue never keeps the process alive on its own.
 */
export class EmbeddedJobQueue implements JobQueue {
  readonly kind = 'embedded';
  private readonly db: Database.Database;
  private readonly registrations = new Map<string, Registration>();
  private readonly inFlight = new Set<Promise<void>>();
  private started = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wakePending = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private lastRecovery = 0;
  /** This process's claim on the jobs it runs (see DEFAULT_LEASE_MS). */
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly sql;

  constructor(file: string, options: { leaseMs?: number } = {}) {
    this.leaseMs = positiveInt(options.leaseMs ?? DEFAULT_LEASE_MS, 'leaseMs');
    this.db = openSqlite(file);
    this.db.exec(SCHEMA);
    // files of an earlier version: jobs without a lease count as stalled (their owner is gone)
    const columns = new Set((this.db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>).map((c) => c.name));
    if (!columns.has('owner')) this.db.exec('ALTER TABLE jobs ADD COLUMN owner TEXT');
    if (!columns.has('lease_until')) this.db.exec('ALTER TABLE jobs ADD COLUMN lease_until INTEGER');
    const names = `name IN (SELECT value FROM json_each(@names))`;
    this.sql = {
      insert: this.db.prepare(
        `INSERT OR IGNORE INTO jobs (id, name, data, run_at, attempts_made, max_attempts, backoff_ms, status, schedule_key, created_at, updated_at)
         VALUES (@id, @name, @data, @run_at, 0, @max_attempts, @backoff_ms, 'waiting', @schedule_key, @now, @now)`,
      ),
      claim: this.db.prepare(
        `UPDATE jobs SET status = 'active', attempts_made = attempts_made + 1, owner = @owner, lease_until = @lease_until, updated_at = @now
         WHERE id IN (SELECT id FROM jobs WHERE status = 'waiting' AND name = @name AND run_at <= @now
                      ORDER BY run_at, created_at LIMIT @limit)
         RETURNING id, name, data, attempts_made, max_attempts, backoff_ms, schedule_key`,
      ),
      // The results of a run are written only while this process still owns the job: one whose
      // lease ran out (the process was paused) may already run elsewhere.
      done: this.db.prepare(
        `UPDATE jobs SET status = 'done', last_error = NULL, owner = NULL, lease_until = NULL, updated_at = @now
         WHERE id = @id AND status = 'active' AND owner = @owner`,
      ),
      // A tick of a schedule needs no dedup memory once it ran: its slot has already moved on.
      deleteTick: this.db.prepare(`DELETE FROM jobs WHERE id = @id AND status = 'active' AND owner = @owner`),
      retry: this.db.prepare(
        `UPDATE jobs SET status = 'waiting', run_at = @run_at, last_error = @error, owner = NULL, lease_until = NULL, updated_at = @now
         WHERE id = @id AND status = 'active' AND owner = @owner`,
      ),
      fail: this.db.prepare(
        `UPDATE jobs SET status = 'failed', last_error = @error, owner = NULL, lease_until = NULL, updated_at = @now
         WHERE id = @id AND status = 'active' AND owner = @owner`,
      ),
      renewLeases: this.db.prepare(`UPDATE jobs SET lease_until = @lease_until WHERE status = 'active' AND owner = @owner`),
      failStalled: this.db.prepare(
        `UPDATE jobs SET status = 'failed', updated_at = @now, owner = NULL, lease_until = NULL,
           last_error = 'stalled: the process stopped while the job was running, more often than allowed'
         WHERE status = 'active' AND (lease_until IS NULL OR lease_until < @now) AND stalled_count >= @max_stalled`,
      ),
      recoverStalled: this.db.prepare(
        `UPDATE jobs SET status = 'waiting', run_at = @now, updated_at = @now, owner = NULL, lease_until = NULL,
           attempts_made = MAX(attempts_made - 1, 0), stalled_count = stalled_count + 1
         WHERE status = 'active' AND (lease_until IS NULL OR lease_until < @now)`,
      ),
      nextDue: this.db.prepare(`SELECT MIN(run_at) AS t FROM jobs WHERE status = 'waiting' AND ${names}`),
      dueCount: this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'waiting' AND run_at <= @now AND ${names}`),
      upsertSchedule: this.db.prepare(
        `INSERT INTO job_schedules (key, name, data, every_ms, next_run_at, updated_at)
         VALUES (@key, @name, @data, @every_ms, @next_run_at, @now)
         ON CONFLICT (key) DO UPDATE SET name = excluded.name, data = excluded.data, every_ms = excluded.every_ms,
           -- every server registers its schedules at start: the same interval keeps its next slot,
           -- or each start (a second process, a restart loop) would push the tick back again
           next_run_at = CASE WHEN job_schedules.every_ms = excluded.every_ms THEN job_schedules.next_run_at
                              ELSE excluded.next_run_at END,
           updated_at = excluded.updated_at`,
      ),
      dueSchedules: this.db.prepare(
        `SELECT key, name, data, every_ms, next_run_at FROM job_schedules WHERE next_run_at <= @now AND ${names}`,
      ),
      nextSchedule: this.db.prepare(`SELECT MIN(next_run_at) AS t FROM job_schedules WHERE ${names}`),
      nextLeaseEnd: this.db.prepare(`SELECT MIN(lease_until) AS t FROM jobs WHERE status = 'active' AND ${names}`),
      advanceSchedule: this.db.prepare(
        `UPDATE job_schedules SET next_run_at = @next, updated_at = @now WHERE key = @key AND next_run_at = @prev`,
      ),
      failed: this.db.prepare(
        `SELECT id, name, attempts_made AS attempts, last_error FROM jobs WHERE status = 'failed' ORDER BY updated_at, id`,
      ),
    };
  }

  register<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.registrations.has(name)) throw new Error(`a handler for job "${name}" is already registered`);
    const concurrency = positiveInt(options.concurrency ?? 1, 'concurrency');
    this.registrations.set(name, { handler: handler as JobHandler, concurrency, running: 0 });
    this.wake();
  }

  async enqueue<T>(name: string, data: T, options: EnqueueOptions = {}): Promise<void> {
    this.assertOpen();
    if (options.jobId === '') throw new Error('jobId must not be empty');
    const now = Date.now();
    this.sql.insert.run({
      id: options.jobId ?? randomUUID(),
      name,
      data: JSON.stringify(data ?? null),
      run_at: now + Math.max(0, options.delayMs ?? 0),
      max_attempts: positiveInt(options.attempts ?? DEFAULT_ATTEMPTS, 'attempts'),
      backoff_ms: Math.max(0, options.backoffMs ?? DEFAULT_BACKOFF_MS),
      schedule_key: null,
      now,
    });
    this.wake();
  }

  async repeat<T>(name: string, data: T, options: RepeatOptions): Promise<void> {
    this.assertOpen();
    const every = positiveInt(options.everyMs, 'everyMs');
    const now = Date.now();
    this.sql.upsertSchedule.run({
      key: options.key,
      name,
      data: JSON.stringify(data ?? null),
      every_ms: every,
      next_run_at: now + every,
      now,
    });
    this.wake();
  }

  async start(): Promise<void> {
    this.assertOpen();
    if (this.started) return;
    this.recoverStalled(Date.now());
    this.started = true;
    this.heartbeat = setInterval(() => this.renewLeases(), Math.max(1, Math.floor(this.leaseMs / 3)));
    this.heartbeat.unref();
    this.pump();
  }

  /** Takes back the jobs whose owner stopped renewing their lease (a crashed or killed process). */
  private recoverStalled(now: number): void {
    this.lastRecovery = now;
    const { failed, requeued } = this.db.transaction(() => ({
      failed: this.sql.failStalled.run({ now, max_stalled: MAX_STALLED }).changes,
      requeued: this.sql.recoverStalled.run({ now }).changes,
    }))();
    if (failed || requeued) logger.warn({ requeued, failed }, 'job queue: recovered jobs whose process stopped while running them');
  }

  private renewLeases(): void {
    try {
      this.sql.renewLeases.run({ owner: this.owner, lease_until: Date.now() + this.leaseMs });
    } catch (err) {
      logger.error({ err_name: (err as Error)?.name }, 'job queue: could not renew leases');
    }
  }

  async drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.closed || this.idle()) return;
      if (Date.now() >= deadline) throw new Error('drain timeout');
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  async close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.closing = (async () => {
        while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = null;
        this.db.close();
      })();
    }
    return this.closing;
  }

  /** Jobs that exhausted their attempts (or stalled too often), for operators and tests. */
  async failed(): Promise<FailedJob[]> {
    this.assertOpen();
    return this.sql.failed.all() as FailedJob[];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('job queue is closed');
  }

  /** Job names this process can run: only their jobs are due work (drain) or worth a wake-up. */
  private names(filter: (r: Registration) => boolean = () => true): string {
    return JSON.stringify([...this.registrations].filter(([, r]) => filter(r)).map(([name]) => name));
  }

  private idle(): boolean {
    if (this.inFlight.size) return false;
    const { n } = this.sql.dueCount.get({ now: Date.now(), names: this.names() }) as { n: number };
    return n === 0;
  }

  /** Coalesces wake-ups (enqueue, a finished job) into one pump on the next turn of the loop. */
  private wake(): void {
    if (!this.started || this.closed || this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.started || this.closed) return;
    try {
      const now = Date.now();
      // a lease runs out at the earliest leaseMs after its last renewal: looking a few times per lease is enough
      if (now - this.lastRecovery >= this.leaseMs / 3) this.recoverStalled(now);
      this.fireSchedules(now);
      for (const [name, reg] of this.registrations) {
        const free = reg.concurrency - reg.running;
        if (free <= 0) continue;
        const rows = this.sql.claim.all({ name, now, limit: free, owner: this.owner, lease_until: now + this.leaseMs }) as JobRow[];
        for (const row of rows) this.run(reg, row);
      }
    } catch (err) {
      logger.error({ err_name: (err as Error)?.name }, 'job queue: polling failed');
    }
    this.arm();
  }

  private fireSchedules(now: number): void {
    const due = this.sql.dueSchedules.all({ now, names: this.names() }) as ScheduleRow[];
    for (const s of due) {
      const next = s.next_run_at + s.every_ms > now ? s.next_run_at + s.every_ms : now + s.every_ms;
      this.db.transaction(() => {
        // The guard on the previous slot and the slot-derived id keep one tick per slot, even with two processes.
        if (this.sql.advanceSchedule.run({ key: s.key, prev: s.next_run_at, next, now }).changes === 0) return;
        this.sql.insert.run({
          id: `repeat:${s.key}:${s.next_run_at}`,
          name: s.name,
          data: s.data,
          run_at: now,
          max_attempts: 1, // a failed tick is superseded by the next one
          backoff_ms: 0,
          schedule_key: s.key,
          now,
        });
      })();
    }
  }

  /** One unref'd timer, set to the next due job or schedule of a name with a free slot. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    const names = this.names((r) => r.running < r.concurrency);
    const job = (this.sql.nextDue.get({ names }) as { t: number | null }).t;
    const tick = (this.sql.nextSchedule.get({ names: this.names() }) as { t: number | null }).t;
    // another process's job is taken back as soon as its lease runs out (unless it is renewed meanwhile)
    const leaseEnd = (this.sql.nextLeaseEnd.get({ names }) as { t: number | null }).t;
    const now = Date.now();
    let at = now + IDLE_POLL_MS;
    for (const t of [job, tick, leaseEnd === null ? null : leaseEnd + 1]) if (t !== null && t < at) at = t;
    const delay = Math.min(Math.max(at - now, 1), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.pump(), delay);
    this.timer.unref();
  }

  private run(reg: Registration, row: JobRow): void {
    reg.running++;
    const ctx = { id: row.id, name: row.name, attempt: row.attempts_made };
    const job = (async () => {
      let error: unknown;
      let ok = false;
      try {
        await reg.handler(JSON.parse(row.data), ctx);
        ok = true;
      } catch (err) {
        error = err;
      }
      reg.running--;
      this.settle(row, ok, error);
    })().finally(() => {
      this.inFlight.delete(job);
      this.wake();
    });
    this.inFlight.add(job);
  }

  private settle(row: JobRow, ok: boolean, error: unknown): void {
    const now = Date.now();
    const log = { job: row.name, job_id: row.id, attempt: row.attempts_made };
    try {
      const owner = this.owner;
      let changes: number;
      if (ok) {
        changes =
          row.schedule_key !== null
            ? this.sql.deleteTick.run({ id: row.id, owner }).changes
            : this.sql.done.run({ id: row.id, now, owner }).changes;
      } else if (row.attempts_made >= row.max_attempts) {
        // Error messages may quote addresses from the data: they go to last_error, never to the log.
        changes = this.sql.fail.run({ id: row.id, error: errorText(error), now, owner }).changes;
        logger.error({ ...log, err_name: (error as Error)?.name }, 'job failed permanently');
      } else {
        const runAt = now + row.backoff_ms * 2 ** (row.attempts_made - 1);
        changes = this.sql.retry.run({ id: row.id, error: errorText(error), run_at: runAt, now, owner }).changes;
        logger.warn({ ...log, err_name: (error as Error)?.name, retry_at: new Date(runAt).toISOString() }, 'job failed; retry scheduled');
      }
      if (changes === 0) logger.warn(log, 'job queue: the lease of a job ran out while it ran; its result was not recorded');
    } catch (err) {
      // Only possible while closing: the row stays active and is recovered at the next start.
      logger.error({ ...log, err_name: (err as Error)?.name }, 'job queue: could not record job result');
    }
  }
}
