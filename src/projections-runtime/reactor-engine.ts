import type { EventStore, StoredEvent, Subscription } from '../eventstore/event-store.port.js';
import { SealingEventStore } from '../privacy/sealing-event-store.js';
import type { ReadStore } from '../readstore/read-store.port.js';
import type { ReactorDefinition } from './reactor.js';

const checkpointName = (reactor: string) => `reactor:${reactor}`;

/** Checkpoint moves over pages a reactor had nothing in are written at most this often (and at stop). */
export const REACTOR_CHECKPOINT_EVERY_MS = 5000;
const RETRY_MS = 500;
const RETRY_MAX_MS = 10_000;
const PAGE = 500;

interface Runner {
  r: ReactorDefinition;
  handles: ReadonlySet<string>;
  /** Every event up to here that this reactor reacts to has been claimed (by this process or another). */
  done: number;
  /** The checkpoint as this process last wrote or found it; `done` beyond it is written later. */
  written: number;
  /** True while it reads the log on its own (after a failure) until it is back at the live page. */
  catchingUp: boolean;
  loop: Promise<void>;
}

/**
 * Runs every reactor off ONE subscription to the global log, each with its own checkpoint. A
 * reactor deployed on an existing store starts at the head (it never mails about history);
 * afterwards it resumes from its checkpoint.
 *
 * What a page costs a reactor: nothing in memory but a type lookup per event when the page holds
 * nothing it reacts to. Only the events it reacts to are opened (decrypted), and only then is the
 * page claimed in a read-store transaction (see claim). The checkpoint moves over the other pages
 * are coalesced: written with the next claim, or every REACTOR_CHECKPOINT_EVERY_MS, or at stop. A
 * restart may re-read such pages, which holds nothing to react to: the checkpoint never passes an
 * event that was not claimed. Several app processes may run the same reactors on one store; each
 * effect is enqueued by one of them (effects are also keyed by event id).
 *
 * A reactor that fails leaves the shared page to the others and reads the log on its own from
 * where it stands, with a growing pause between attempts, until it is back at the live page.
 */
export class ReactorEngine {
  private sub: Subscription | null = null;
  private runners: Runner[] = [];
  private waiters: Array<{ position: number; resolve: (ok: boolean) => void }> = [];
  /** Last position of the newest page the shared subscription delivered. */
  private live = 0;
  private stopped = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly retryTimers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  /** The log as stored, and how to open what a reactor gets: the personal fields of the events it reacts to only. */
  private readonly log: EventStore;
  private readonly open: (events: StoredEvent[]) => Promise<StoredEvent[]>;

  constructor(
    events: EventStore,
    private readonly store: ReadStore,
    private readonly reactors: readonly ReactorDefinition[],
    private readonly onError: (reactor: string, err: unknown) => void = () => undefined,
    private readonly options: { checkpointEveryMs?: number } = {},
  ) {
    this.log = events instanceof SealingEventStore ? events.raw : events;
    this.open = events instanceof SealingEventStore ? (es) => events.open(es) : async (es) => es;
  }

  async start(): Promise<void> {
    const cps = await this.store.listCheckpoints();
    const head = await this.log.headPosition();
    this.stopped = false;
    for (const r of this.reactors) {
      let from = cps[checkpointName(r.name)];
      if (from === undefined) {
        from = head;
        await this.store.setCheckpoint(checkpointName(r.name), head);
      }
      this.runners.push({ r, handles: new Set(r.handles), done: from, written: from, catchingUp: false, loop: Promise.resolve() });
    }
    if (this.runners.length === 0) return;
    this.live = Math.min(...this.runners.map((x) => x.done));
    this.sub = this.log.subscribe({
      from: this.live,
      batchSize: PAGE,
      onBatch: (batch, after) => this.page(batch, after),
      onCaughtUp: () => this.release(),
      onError: (err) => this.onError('*', err),
    });
    const every = this.options.checkpointEveryMs ?? REACTOR_CHECKPOINT_EVERY_MS;
    this.flushTimer = setInterval(() => {
      this.flushing ??= this.flushCheckpoints()
        .catch((err: unknown) => this.onError('*', err))
        .finally(() => (this.flushing = null));
    }, every);
    this.flushTimer.unref();
  }

  /** The shared page, for every reactor at once; one that fails or lags does not hold it. */
  private async page(batch: StoredEvent[], after: number): Promise<void> {
    this.live = batch[batch.length - 1]!.position;
    await Promise.all(
      this.runners.map(async (run) => {
        if (run.catchingUp) return; // it reads this page itself
        if (run.done < after) return this.catchUp(run, 0); // a page it missed while failing
        try {
          await this.advance(run, batch);
        } catch (err) {
          this.onError(run.r.name, err);
          this.catchUp(run, RETRY_MS);
        }
      }),
    );
    this.release();
  }

  /** Reacts to what `run` handles in a page of consecutive events that starts at or before its `done`. */
  private async advance(run: Runner, batch: StoredEvent[]): Promise<void> {
    const last = batch[batch.length - 1]!.position;
    if (last <= run.done) return;
    const typed = batch.filter((e) => e.position > run.done && run.handles.has(e.type));
    const mine = typed.length ? (await this.open(typed)).filter((e) => run.r.wants?.(e) ?? true) : [];
    if (mine.length === 0) {
      run.done = last; // coalesced: nothing here to claim
      return;
    }
    await this.claim(run, mine, last);
  }

  /**
   * Reacts to events under the reactor's checkpoint, in one read-store transaction that moves the
   * checkpoint to `last`: the checkpoint is read under its lock (PostgreSQL: an advisory lock;
   * SQLite: the write lock), so when every app process runs the reactor, the first one to take an
   * event reacts and the others find the checkpoint past it and skip. A crash before the commit
   * re-delivers the events (effects are keyed by event id).
   */
  private async claim(run: Runner, mine: StoredEvent[], last: number): Promise<void> {
    const name = checkpointName(run.r.name);
    const cp = await this.store.transaction(async (tx) => {
      const cp = await tx.getCheckpoint(name);
      if (cp >= last) return cp;
      for (const e of mine) if (e.position > cp) await run.r.react(e);
      await tx.setCheckpoint(name, last);
      return last;
    });
    // another process's checkpoint past `last` covers everything up to it as well
    run.done = Math.max(run.done, cp);
    run.written = Math.max(run.written, cp);
  }

  /**
   * Reads the log for one reactor from where it stands until it reaches the live page (after a
   * failure, or a page it skipped while failing). Pauses `delayMs` first, longer after each failure.
   */
  private catchUp(run: Runner, delayMs: number): void {
    if (run.catchingUp || this.stopped) return;
    run.catchingUp = true;
    run.loop = (async () => {
      let delay = delayMs;
      try {
        for (;;) {
          if (delay > 0) await this.pause(delay);
          if (this.stopped) return;
          try {
            const page = await this.log.readAll({ from: run.done, limit: PAGE });
            if (page.length > 0) await this.advance(run, page);
            this.release();
            // Back at the live page. `finally` clears the flag in this same synchronous step, so
            // the next shared page either saw the flag (and its events are in `live`, read by
            // this loop) or comes after and is taken normally.
            if (page.length < PAGE && run.done >= this.live) return;
            delay = page.length === 0 ? RETRY_MS : 0;
          } catch (err) {
            this.onError(run.r.name, err);
            delay = Math.min(Math.max(delay * 2, RETRY_MS), RETRY_MAX_MS);
          }
        }
      } finally {
        run.catchingUp = false;
        this.release();
      }
    })();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        wake: () => {
          clearTimeout(entry.timer);
          this.retryTimers.delete(entry);
          resolve();
        },
        timer: setTimeout(() => entry.wake(), ms),
      };
      this.retryTimers.add(entry);
    });
  }

  /**
   * Writes the coalesced checkpoint moves in one transaction, never lowering a checkpoint (another
   * process may have claimed further). Safe at any time: `done` covers only claimed work.
   */
  async flushCheckpoints(): Promise<void> {
    if (!this.runners.some((run) => run.done > run.written)) return;
    await this.store.transaction(async (tx) => {
      for (const run of this.runners) {
        if (run.done <= run.written) continue;
        const name = checkpointName(run.r.name);
        const cp = await tx.getCheckpoint(name);
        if (cp < run.done) await tx.setCheckpoint(name, run.done);
        run.written = Math.max(cp, run.done);
      }
    });
  }

  private min(): number {
    return this.runners.length ? Math.min(...this.runners.map((run) => run.done)) : Infinity;
  }

  private release(): void {
    const m = this.min();
    const still = [];
    for (const w of this.waiters) {
      if (m >= w.position) w.resolve(true);
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves once every reactor has passed `position`, whether or not it had anything to do there (tests; graceful shutdown). */
  waitFor(position: number, timeoutMs = 5000): Promise<boolean> {
    if (this.min() >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { position, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(this.min() >= position);
      }, timeoutMs).unref();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    await this.sub?.close();
    this.sub = null;
    for (const t of [...this.retryTimers]) t.wake();
    await Promise.all(this.runners.map((run) => run.loop));
    await this.flushing;
    await this.flushCheckpoints().catch((err: unknown) => this.onError('*', err));
    this.runners = [];
  }
}
