import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import type { JobContext, JobQueue } from '../../src/queue/job-queue.port.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-job-queue.js';
import { BullMqJobQueue, decodeJobId, encodeJobId } from '../../src/queue/bullmq-job-queue.js';
import { createJobQueue } from '../../src/queue/create-job-queue.js';

/** Both adapters expose failed() for operators; the port itself does not need it. */
type TestQueue = JobQueue & { failed(): Promise<Array<{ id: string; name: string; attempts: number; last_error: string | null }>> };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

interface Call<T = unknown> {
  data: T;
  ctx: JobContext;
  at: number;
}

/** The one suite every adapter of the port must pass. `open` gives a fresh, isolated queue per test. */
function jobQueueContract(kind: string, open: () => Promise<TestQueue>): void {
  describe(`JobQueue contract: ${kind}`, () => {
    let queue: TestQueue;
    beforeEach(async () => {
      queue = await open();
    });
    afterEach(async () => {
      await queue.close();
    });

    function recorder<T>(
      name: string,
      behaviour: (call: Call<T>, calls: Call<T>[]) => Promise<void> = async () => {},
      concurrency?: number,
    ) {
      const calls: Call<T>[] = [];
      queue.register<T>(
        name,
        async (data, ctx) => {
          const call = { data, ctx, at: Date.now() };
          calls.push(call);
          await behaviour(call, calls);
        },
        concurrency ? { concurrency } : undefined,
      );
      return calls;
    }

    it(`reports its kind`, () => {
      expect(queue.kind).toBe(kind);
    });

    it('runs a job once with its data', async () => {
      const calls = recorder<{ user: string; n: number }>('mail.send');
      await queue.start();
      await queue.enqueue('mail.send', { user: 'u-1', n: 42 });
      await queue.drain(10_000);
      await sleep(50);
      expect(calls).toHaveLength(1);
      expect(calls[0].data).toEqual({ user: 'u-1', n: 42 });
      expect(calls[0].ctx).toMatchObject({ name: 'mail.send', attempt: 1 });
    });

    it('dedups by jobId: twice while pending, and again after it completed', async () => {
      const calls = recorder('mail.send');
      const ids = ['mail:MfaEnrolled:8b7c6a1e', '12345'];
      for (const id of ids) {
        await queue.enqueue('mail.send', { id, copy: 1 }, { jobId: id });
        await queue.enqueue('mail.send', { id, copy: 2 }, { jobId: id });
      }
      await queue.start();
      await queue.drain(10_000);
      for (const id of ids) await queue.enqueue('mail.send', { id, copy: 3 }, { jobId: id });
      await queue.drain(10_000);
      await sleep(100);
      expect(calls.map((c) => c.ctx.id).sort()).toEqual([...ids].sort());
      expect(calls.map((c) => (c.data as { copy: number }).copy)).toEqual([1, 1]);
    });

    it('retries with exponential backoff until the handler succeeds', async () => {
      const calls = recorder('sms.send', async (_call, all) => {
        if (all.length < 3) throw new Error(`provider down (${all.length})`);
      });
      await queue.start();
      await queue.enqueue('sms.send', { n: 1 }, { attempts: 5, backoffMs: 100, jobId: 'retry-1' });
      await waitFor(() => calls.length === 3);
      await queue.drain(10_000);
      expect(calls.map((c) => c.ctx.attempt)).toEqual([1, 2, 3]);
      const gap1 = calls[1].at - calls[0].at;
      const gap2 = calls[2].at - calls[1].at;
      expect(gap1).toBeGreaterThanOrEqual(90); // base 100 ms
      expect(gap2).toBeGreaterThanOrEqual(180); // base * 2: a fixed backoff would retry after ~100 ms
      // (no gap2 >= gap1: a busy machine can stretch the first gap past the second one's floor)
      await sleep(200);
      expect(calls).toHaveLength(3);
      expect(await queue.failed()).toEqual([]);
    });

    it('leaves a job failed after its last attempt and never runs it again', async () => {
      const calls = recorder('sms.send', async () => {
        throw new Error('permanently rejected');
      });
      await queue.start();
      await queue.enqueue('sms.send', { n: 1 }, { attempts: 2, backoffMs: 50, jobId: 'doomed:1' });
      await waitFor(async () => (await queue.failed()).length === 1);
      const [failed] = await queue.failed();
      expect(failed).toMatchObject({ id: 'doomed:1', name: 'sms.send', attempts: 2 });
      expect(failed.last_error).toContain('permanently rejected');
      await sleep(300);
      await queue.drain(5_000);
      expect(calls.map((c) => c.ctx.attempt)).toEqual([1, 2]);
      // Failed is a status too: the same id is not enqueued again.
      await queue.enqueue('sms.send', { n: 2 }, { jobId: 'doomed:1' });
      await sleep(200);
      expect(calls).toHaveLength(2);
    });

    it('does not run a delayed job before its delay', async () => {
      const calls = recorder('mail.send');
      await queue.start();
      const enqueuedAt = Date.now();
      await queue.enqueue('mail.send', { n: 1 }, { delayMs: 400 });
      await sleep(150);
      expect(calls).toHaveLength(0);
      await queue.drain(1_000); // not due yet: nothing to wait for
      await waitFor(() => calls.length === 1);
      expect(calls[0].at - enqueuedAt).toBeGreaterThanOrEqual(390);
    });

    it('fires a repeatable job more than once; re-registering the key replaces it', async () => {
      const calls = recorder<{ v: number }>('tick');
      await queue.start();
      await queue.repeat('tick', { v: 1 }, { everyMs: 150, key: 'sessions:expire' });
      await queue.repeat('tick', { v: 2 }, { everyMs: 150, key: 'sessions:expire' });
      await waitFor(() => calls.length >= 4);
      expect(calls.every((c) => c.data.v === 2)).toBe(true);
      // One schedule, not two: about one tick per interval. Measured from the second tick: BullMQ
      // may place the first tick after a re-registration off the interval's grid (seen: 3 ticks in
      // 199 ms, i.e. ~50 ms to the second), then keeps the cadence; two schedules would tick
      // about twice per interval from then on (two intervals in ~150 ms).
      const span = calls[3].at - calls[1].at;
      expect(span).toBeGreaterThanOrEqual(250);
    });

    it('never overlaps jobs of one name with concurrency 1', async () => {
      let active = 0;
      let maxActive = 0;
      const calls = recorder('serial', async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(30);
        active--;
      });
      await queue.start();
      for (let i = 0; i < 5; i++) await queue.enqueue('serial', { i });
      await waitFor(() => calls.length === 5);
      await queue.drain(10_000);
      expect(maxActive).toBe(1);
    });

    it('runs jobs in parallel up to the concurrency it was given', async () => {
      let active = 0;
      let maxActive = 0;
      const calls = recorder(
        'parallel',
        async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await sleep(150);
          active--;
        },
        3,
      );
      await queue.start();
      for (let i = 0; i < 6; i++) await queue.enqueue('parallel', { i });
      await waitFor(() => calls.length === 6);
      await queue.drain(10_000);
      expect(maxActive).toBeGreaterThan(1);
      expect(maxActive).toBeLessThanOrEqual(3);
    });

    it('drain throws on timeout while a job is still running', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const calls = recorder('slow', () => gate);
      await queue.start();
      await queue.enqueue('slow', {});
      await waitFor(() => calls.length === 1);
      await expect(queue.drain(50)).rejects.toThrow('drain timeout');
      release();
      await queue.drain(5_000);
    });
  });
}

// --- the embedded queue: always --------------------------------------------------------------
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plq-'));
  dirs.push(dir);
  return dir;
}

jobQueueContract('embedded', async () => new EmbeddedJobQueue(join(tempDir(), 'queue.sqlite')));

describe('EmbeddedJobQueue: durability', () => {
  it('keeps a pending job across a restart and runs it in the new process', async () => {
    const file = join(tempDir(), 'queue.sqlite');
    const first = new EmbeddedJobQueue(file);
    const early: unknown[] = [];
    first.register('mail.send', async (data) => void early.push(data));
    await first.start();
    await first.enqueue('mail.send', { n: 7 }, { delayMs: 300, jobId: 'evt-1' });
    await first.close();

    const second = new EmbeddedJobQueue(file);
    const calls: unknown[] = [];
    second.register('mail.send', async (data) => void calls.push(data));
    await second.start();
    await waitFor(() => calls.length === 1);
    // The jobId is remembered across restarts too.
    await second.enqueue('mail.send', { n: 8 }, { jobId: 'evt-1' });
    await second.drain(5_000);
    await second.close();
    expect(early).toEqual([]);
    expect(calls).toEqual([{ n: 7 }]);
  });

  /** What a process killed mid-handler leaves behind: the row claimed (active, attempt counted). */
  function leaveActive(file: string, id: string): void {
    const db = new Database(file);
    db.prepare(`UPDATE jobs SET status = 'active', attempts_made = attempts_made + 1 WHERE id = ?`).run(id);
    db.close();
  }

  it('runs a job again after a crash left it active (at-least-once), failing it if it keeps stalling', async () => {
    const file = join(tempDir(), 'queue.sqlite');
    const producer = new EmbeddedJobQueue(file);
    await producer.enqueue('mail.send', { n: 1 }, { jobId: 'crashy' });
    await producer.close();
    leaveActive(file, 'crashy');

    const restarted = new EmbeddedJobQueue(file);
    const contexts: JobContext[] = [];
    restarted.register('mail.send', async (_data, ctx) => void contexts.push(ctx));
    await restarted.start();
    await waitFor(() => contexts.length === 1);
    await restarted.drain(5_000);
    await restarted.close();
    // The interrupted attempt does not count against the job's attempts.
    expect(contexts[0]).toMatchObject({ id: 'crashy', attempt: 1 });

    // A job that takes the process down every time is failed after one recovery, not looped forever.
    const again = new EmbeddedJobQueue(file);
    await again.enqueue('mail.send', { n: 2 }, { jobId: 'poison' });
    await again.close();
    leaveActive(file, 'poison');
    const third = new EmbeddedJobQueue(file);
    await third.start(); // no handler: the recovered job just waits
    await third.close();
    leaveActive(file, 'poison');
    const fourth = new EmbeddedJobQueue(file);
    await fourth.start();
    const failed = await fourth.failed();
    await fourth.close();
    expect(failed).toEqual([expect.objectContaining({ id: 'poison', name: 'mail.send' })]);
    expect(failed[0].last_error).toContain('stalled');
  });
});

describe('EmbeddedJobQueue: two processes on one file', () => {
  it('a second process starting never takes over a job the first one is running', async () => {
    const file = join(tempDir(), 'queue.sqlite');
    const first = new EmbeddedJobQueue(file);
    let release!: () => void;
    const running = new Promise<void>((r) => (release = r));
    const firstCalls: unknown[] = [];
    first.register('mail.send', async (data) => {
      firstCalls.push(data);
      await running;
    });
    await first.start();
    await first.enqueue('mail.send', { n: 1 }, { jobId: 'evt-a' });
    await waitFor(() => firstCalls.length === 1);

    const second = new EmbeddedJobQueue(file);
    const secondCalls: unknown[] = [];
    second.register('mail.send', async (data) => void secondCalls.push(data));
    await second.start();
    await second.drain(5_000);
    expect(secondCalls).toEqual([]);
    release();
    await first.drain(5_000);
    await first.close();
    await second.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare(`SELECT status, stalled_count FROM jobs WHERE id = 'evt-a'`).get()).toEqual({ status: 'done', stalled_count: 0 });
    db.close();
  });

  it("takes over another process's job once its lease ran out, and not before", async () => {
    const file = join(tempDir(), 'queue.sqlite');
    const producer = new EmbeddedJobQueue(file);
    await producer.enqueue('mail.send', { n: 1 }, { jobId: 'evt-b' });
    await producer.close();
    // what a live process holding the job looks like, then what it leaves when it is killed
    const setLease = (until: number) => {
      const db = new Database(file);
      db.prepare(`UPDATE jobs SET status = 'active', attempts_made = 1, owner = 'other-process', lease_until = ? WHERE id = 'evt-b'`).run(
        until,
      );
      db.close();
    };
    setLease(Date.now() + 1_500);
    const queue = new EmbeddedJobQueue(file, { leaseMs: 90 });
    const calls: JobContext[] = [];
    queue.register('mail.send', async (_data, ctx) => void calls.push(ctx));
    await queue.start();
    await queue.drain(5_000);
    expect(calls).toEqual([]);
    await waitFor(() => calls.length === 1); // when the lease runs out, not renewed by its dead owner
    await queue.drain(5_000);
    await queue.close();
    expect(calls[0]).toMatchObject({ id: 'evt-b', attempt: 1 });
  });

  it('a second process registering the same schedule keeps its next slot instead of pushing the tick back', async () => {
    const file = join(tempDir(), 'queue.sqlite');
    const nextRunAt = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare(`SELECT next_run_at FROM job_schedules WHERE key = 'sweep'`).get() as { next_run_at: number }).next_run_at;
      } finally {
        db.close();
      }
    };
    const first = new EmbeddedJobQueue(file);
    await first.repeat('sweep', {}, { everyMs: 60_000, key: 'sweep' });
    const slot = nextRunAt();
    await sleep(20);
    const second = new EmbeddedJobQueue(file);
    await second.repeat('sweep', { v: 2 }, { everyMs: 60_000, key: 'sweep' });
    expect(nextRunAt()).toBe(slot);
    await second.repeat('sweep', {}, { everyMs: 30_000, key: 'sweep' }); // a new interval starts afresh
    expect(nextRunAt()).not.toBe(slot);
    await Promise.all([first.close(), second.close()]);
  });

  it('a process keeps its lease by heartbeat while a job runs longer than the lease', async () => {
    const file = join(tempDir(), 'queue.sqlite');
    const first = new EmbeddedJobQueue(file, { leaseMs: 400 });
    let release!: () => void;
    const running = new Promise<void>((r) => (release = r));
    let firstCalls = 0;
    first.register('mail.send', async () => {
      firstCalls++;
      await running;
    });
    await first.start();
    await first.enqueue('mail.send', {}, { jobId: 'evt-c' });
    await waitFor(() => firstCalls === 1);
    const second = new EmbeddedJobQueue(file, { leaseMs: 400 });
    let secondCalls = 0;
    second.register('mail.send', async () => void secondCalls++);
    await second.start();
    await sleep(2_000); // several leases long: the heartbeat renews the first process's lease meanwhile
    await second.drain(5_000);
    release();
    await first.drain(5_000);
    await Promise.all([first.close(), second.close()]);
    expect({ firstCalls, secondCalls }).toEqual({ firstCalls: 1, secondCalls: 0 });
  });
});

describe('createJobQueue', () => {
  it('picks the embedded queue without REDIS_URL', async () => {
    const queue = await createJobQueue({ redisUrl: null, dataDir: tempDir() });
    expect(queue).toBeInstanceOf(EmbeddedJobQueue);
    await queue.close();
  });
});

describe('BullMQ job id encoding', () => {
  it.each(['mail:MfaEnrolled:1', '42', '%N42', 'a%3Ab', 'plain-id', ':'])('round-trips %s into a valid id', (id) => {
    const encoded = encodeJobId(id);
    expect(encoded).not.toContain(':');
    expect(`${parseInt(encoded, 10)}`).not.toBe(encoded);
    expect(decodeJobId(encoded)).toBe(id);
  });
});

// --- BullMQ on Redis: whenever REDIS_URL is set ----------------------------------------------
const redisUrl = process.env.REDIS_URL;
const runPrefix = `plqtest-${process.pid}-${Date.now().toString(36)}`;
let runs = 0;

if (redisUrl) {
  jobQueueContract('bullmq', async () => new BullMqJobQueue({ redisUrl, prefix: `${runPrefix}-${++runs}` }));

  describe('createJobQueue with REDIS_URL', () => {
    it('picks BullMQ', async () => {
      const queue = await createJobQueue({ redisUrl, dataDir: tempDir(), prefix: `${runPrefix}-factory` });
      expect(queue).toBeInstanceOf(BullMqJobQueue);
      await queue.close();
    });
  });

  afterAll(async () => {
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${runPrefix}-*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  });
} else {
  it.skip('BullMQ contract (set REDIS_URL to run it)', () => {});
}
