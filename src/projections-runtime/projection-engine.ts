import type { EventStore, StoredEvent, Subscription } from '../eventstore/event-store.port.js';
import type { Collection, Doc, ReadStore, ReadStoreTx, ShadowBuild } from '../readstore/read-store.port.js';
import type { ProjectionDefinition } from './projection.js';

/** The transaction, with a count of the document writes made through it. */
function countingWrites(tx: ReadStoreTx): { tx: ReadStoreTx; writes: () => number } {
  let n = 0;
  const counted = <F extends (...args: never[]) => Promise<unknown>>(f: F): F => ((...args: never[]) => (n++, f(...args))) as F;
  return {
    writes: () => n,
    tx: {
      getCheckpoint: (name) => tx.getCheckpoint(name),
      setCheckpoint: (name, position) => tx.setCheckpoint(name, position),
      dropCollection: (name) => tx.dropCollection(name),
      collection<T extends Doc = Doc>(name: string): Collection<T> {
        const c = tx.collection<T>(name);
        return {
          name: c.name,
          get: (id) => c.get(id),
          find: (q) => c.find(q),
          count: (w) => c.count(w),
          upsert: counted(c.upsert.bind(c)),
          patch: counted(c.patch.bind(c)),
          delete: counted(c.delete.bind(c)),
          deleteWhere: counted(c.deleteWhere.bind(c)),
        };
      },
    },
  };
}

/**
 * On SQLite a transaction's writes are map operations (the write-back cache of
 * SqliteReadStore.transaction) until one write per distinct document at commit, and its lock
 * is local: the time bound alone keeps it short. The write bound there only cut a rebuild into
 * transactions of 1,000 events, each reading and writing again every hot document (a counter
 * per player: ~630 document reads and writes per 1,000 events). Larger catch-up pages serve
 * the same end. Server stores keep 1,000 writes (a round trip each; MongoDB's 60 s limit).
 */
const SQLITE_TX_WRITES = 100_000;
const SQLITE_CATCH_UP_PAGE = 10_000;

/**
 * A live page moves the checkpoints of the projections it holds events for; the others' are
 * written at most this often (and at stop), see `quiet`.
 */
export const PROJECTION_CHECKPOINT_EVERY_MS = 5000;

export interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  /** Events the projection has still to apply (positions are not event counts on every store). */
  lag: number;
  /** Set when the lag reached LAG_CAP and was not counted further. */
  lag_capped?: true;
}

/** Where events must be counted by reading them (KurrentDB), lag is counted up to this many: /health stays cheap. */
export const LAG_CAP = 10_000;

interface Waiter {
  position: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * Runs every projection off one subscription to the global log. Each page of events is
 * applied in one read-store transaction together with the new checkpoints, and the
 * checkpoints are re-read inside that transaction: a crash, a restart or a concurrent
 * runner (the CLI rebuilding on the same file) never applies an event twice.
 *
 * A live page reads and writes only the checkpoints of the projections it holds events for. For
 * each other one the engine remembers a stretch of the log known to hold none of its events
 * (`quiet`): a stored checkpoint inside that stretch stands for its end (the read model is the same
 * at both), so the write can wait. Those checkpoints are written every
 * PROJECTION_CHECKPOINT_EVERY_MS, by flushCheckpoints (settle) and at stop; a crash before that
 * only makes a restart read again events these projections ignore.
 */
export class ProjectionEngine {
  private subscription: Subscription | null = null;
  private readonly byType = new Map<string, ProjectionDefinition[]>();
  private processed = 0;
  private waiters: Waiter[] = [];
  private lastError: unknown = null;
  private readonly pageListeners: Array<(events: readonly StoredEvent[]) => void> = [];
  /** Per projection, (from, to]: a stretch of the log this process saw hold none of its events. */
  private readonly quiet = new Map<string, { from: number; to: number; written: number }>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadStore,
    private readonly projections: readonly ProjectionDefinition[],
    private readonly options: {
      batchSize?: number;
      /**
       * Bounds of one read-store transaction (see applyBatch); defaults 1000 writes (SQLite:
       * 100,000, see below), 500 ms.
       */
      maxTxWrites?: number;
      /** Events per page of a rebuild or catch-up; default 2000 (SQLite: 10,000). */
      catchUpBatchSize?: number;
      maxTxMs?: number;
      /** How often the coalesced checkpoints of projections a page had nothing for are written (default PROJECTION_CHECKPOINT_EVERY_MS). */
      checkpointEveryMs?: number;
      onError?: (err: unknown) => void;
    } = {},
  ) {
    const names = new Set<string>();
    for (const p of projections) {
      if (names.has(p.name)) throw new Error(`duplicate projection name ${p.name}`);
      names.add(p.name);
      for (const t of p.handles) this.byType.set(t, [...(this.byType.get(t) ?? []), p]);
    }
  }

  get definitions(): readonly ProjectionDefinition[] {
    return this.projections;
  }

  async prepare(): Promise<void> {
    for (const p of this.projections) for (const c of p.collections) await this.store.ensureCollection(c);
  }

  async start(): Promise<void> {
    await this.prepare();
    const from = await this.minCheckpoint();
    this.processed = from;
    this.subscription = this.events.subscribe({
      from,
      batchSize: this.options.batchSize ?? 500,
      onBatch: (batch, after) => this.applyLive(batch, after),
      onError: (err) => {
        this.lastError = err;
        this.options.onError?.(err);
      },
    });
    this.flushTimer = setInterval(() => {
      this.flushing ??= this.flushCheckpoints()
        .catch((err: unknown) => this.options.onError?.(err))
        .finally(() => (this.flushing = null));
    }, this.options.checkpointEveryMs ?? PROJECTION_CHECKPOINT_EVERY_MS);
    this.flushTimer.unref();
  }

  /** A stored checkpoint inside a quiet stretch of the projection stands for the stretch's end. */
  private effective(name: string, cp: number): number {
    const q = this.quiet.get(name);
    return q && cp >= q.from && cp < q.to ? q.to : cp;
  }

  private markQuiet(name: string, after: number, last: number): void {
    const q = this.quiet.get(name);
    if (q && q.from <= after && after <= q.to) q.to = Math.max(q.to, last);
    else this.quiet.set(name, { from: after, to: last, written: after });
  }

  /** Writes the coalesced checkpoints now (the timer does it every checkpointEveryMs); catches up any found reset. */
  async flushCheckpoints(): Promise<void> {
    for (const name of await this.flushQuiet()) this.catchUpBeside(name);
  }

  /**
   * Writes the checkpoints that quiet stretches moved, in one transaction, each only where the
   * stored one is still inside its stretch (a rebuild elsewhere or another process may have moved
   * it). Returns those found before their stretch (reset meanwhile: to be caught up).
   */
  private async flushQuiet(): Promise<string[]> {
    if (![...this.quiet.values()].some((q) => q.to > q.written)) return [];
    const behind: string[] = [];
    const moved: Array<[{ written: number }, number]> = [];
    await this.store.transaction(async (tx) => {
      for (const [name, q] of this.quiet) {
        if (q.to <= q.written) continue;
        const cp = await tx.getCheckpoint(name);
        if (cp >= q.from && cp < q.to) await tx.setCheckpoint(name, q.to);
        else if (cp < q.from) behind.push(name);
        moved.push([q, q.to]);
      }
    });
    for (const [q, to] of moved) q.written = to;
    for (const name of behind) this.quiet.delete(name);
    return behind;
  }

  private async minCheckpoint(only?: readonly ProjectionDefinition[]): Promise<number> {
    const cps = await this.store.listCheckpoints();
    const list = (only ?? this.projections).map((p) => cps[p.name] ?? 0);
    return list.length ? Math.min(...list) : 0;
  }

  /**
   * Applies a page that holds every event in (after, last] to the given projections, atomically
   * with their checkpoints. A projection whose checkpoint is behind `after` (an operator reset it
   * for a rebuild, possibly from another process) is left alone: applying this page would skip
   * the events in between. Returns the names of such projections.
   *
   * One transaction covers a run of the page bounded by write count and time (maxTxWrites,
   * maxTxMs), cut between events: a page of 2,000 events on a server store, or one event that
   * writes a lot, never becomes a transaction that holds locks for long or meets MongoDB's 60 s
   * transaction limit. The checkpoints move to the last event of each committed run.
   */
  async applyBatch(
    batch: StoredEvent[],
    after: number,
    only: readonly ProjectionDefinition[] = this.projections,
    target: Pick<ReadStore, 'transaction'> = this.store,
  ): Promise<string[]> {
    const behind = new Set<string>();
    const maxWrites = this.options.maxTxWrites ?? (this.store.kind === 'sqlite' ? SQLITE_TX_WRITES : 1000);
    const maxMs = this.options.maxTxMs ?? 500;
    let start = 0;
    while (start < batch.length) {
      const runAfter = start === 0 ? after : batch[start - 1]!.position;
      start = await target.transaction(async (tx) => {
        const counted = countingWrites(tx);
        const active: Array<{ p: ProjectionDefinition; cp: number; handles: Set<string> }> = [];
        for (const p of only) {
          if (behind.has(p.name)) continue;
          const cp = this.effective(p.name, await tx.getCheckpoint(p.name));
          if (cp < runAfter) behind.add(p.name);
          else if (cp < batch[batch.length - 1]!.position) active.push({ p, cp, handles: new Set(p.handles) });
        }
        const began = Date.now();
        let i = start;
        while (i < batch.length) {
          const e = batch[i++]!;
          for (const a of active) if (e.position > a.cp && a.handles.has(e.type)) await a.p.apply(e, counted.tx);
          if (counted.writes() >= maxWrites || Date.now() - began >= maxMs) break;
        }
        const last = batch[i - 1]!.position;
        for (const a of active) if (a.cp < last) await tx.setCheckpoint(a.p.name, last);
        return i;
      });
    }
    return [...behind];
  }

  /**
   * The live subscription's page: all projections, and a catch-up for any that was reset
   * meanwhile. The catch-up runs beside the live loop: a projection being rebuilt (by the CLI,
   * or another server) is incomplete until its replay ends anyway, and waiting for it here
   * would hold back read-your-writes of every other projection for the whole replay.
   */
  private async applyLive(batch: StoredEvent[], after: number): Promise<void> {
    const touched = new Set<ProjectionDefinition>();
    for (const e of batch) for (const p of this.byType.get(e.type) ?? []) touched.add(p);
    const behind = touched.size ? await this.applyBatch(batch, after, [...touched]) : [];
    const last = batch[batch.length - 1]!.position;
    // a touched projection's checkpoint moved with the page; the others' moves wait (see `quiet`)
    for (const p of this.projections)
      if (touched.has(p)) this.quiet.delete(p.name);
      else this.markQuiet(p.name, after, last);
    for (const listen of this.pageListeners) listen(batch);
    for (const name of behind) this.catchUpBeside(name);
    this.processed = Math.max(this.processed, last);
    this.lastError = null;
    this.releaseWaiters();
  }

  private readonly catchingUp = new Map<string, Promise<void>>();

  private catchUpBeside(name: string): void {
    if (this.catchingUp.has(name)) return;
    const run = this.catchUp(this.projections.find((p) => p.name === name)!)
      .then(() => undefined)
      .catch((err: unknown) => {
        this.lastError = err;
        this.options.onError?.(err); // the next live page finds it behind again and retries
      })
      .finally(() => this.catchingUp.delete(name));
    this.catchingUp.set(name, run);
  }

  /**
   * Replays a projection from its own checkpoint up to the head (after a reset or a rebuild
   * elsewhere), into its live collections or into a shadow build. Stops early when a page moved
   * no checkpoint: the store holds the projection still while a shadow is swapped in.
   */
  private async catchUp(
    p: ProjectionDefinition,
    onProgress?: (done: number, total: number) => void,
    shadow?: ShadowBuild,
  ): Promise<number> {
    const batchSize =
      this.options.catchUpBatchSize ?? this.options.batchSize ?? (this.store.kind === 'sqlite' ? SQLITE_CATCH_UP_PAGE : 2000);
    const total = await this.events.headPosition();
    const checkpoint = async () => (shadow ? shadow.getCheckpoint() : ((await this.store.listCheckpoints())[p.name] ?? 0));
    let count = 0;
    let from = await checkpoint();
    for (;;) {
      const page = await this.events.readAll({ from, limit: batchSize });
      if (page.length === 0) break;
      await this.applyBatch(page, from, [p], shadow);
      count += page.length;
      const was = from;
      from = await checkpoint();
      onProgress?.(page[page.length - 1]!.position, Math.max(total, page[page.length - 1]!.position));
      if (from === was) break;
    }
    return count;
  }

  private releaseWaiters(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.processed >= w.position) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * Called with every page of the log this process's live subscription has seen through the
   * projections, whichever process appended or projected it (in-process caches drop what changed).
   */
  onPage(listener: (events: readonly StoredEvent[]) => void): void {
    this.pageListeners.push(listener);
  }

  /** Read-your-writes: resolves true once every projection has applied `position`, false on timeout. */
  waitFor(position: number, timeoutMs = 5000): Promise<boolean> {
    if (this.processed >= position || !this.subscription) return Promise.resolve(this.processed >= position);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== resolve);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.waiters.push({ position, resolve, timer });
    });
  }

  /** Checkpoints, head and lag in events (read-counted up to LAG_CAP on KurrentDB; `lag_capped` says when there are more). */
  async status(): Promise<ProjectionStatus[]> {
    const head = await this.events.headPosition();
    const stored = await this.store.listCheckpoints();
    const cps = Object.fromEntries(this.projections.map((p) => [p.name, this.effective(p.name, stored[p.name] ?? 0)]));
    const lags = new Map<number, number>();
    for (const p of this.projections) {
      const cp = cps[p.name] ?? 0;
      if (lags.has(cp)) continue;
      const count = this.events.countEvents;
      lags.set(cp, cp >= head ? 0 : count ? await count.call(this.events, cp, head, LAG_CAP) : head - cp);
    }
    return this.projections.map((p) => {
      const checkpoint = cps[p.name] ?? 0;
      const lag = lags.get(checkpoint)!;
      return { name: p.name, checkpoint, head, lag, ...(lag >= LAG_CAP && this.events.countEvents ? { lag_capped: true as const } : {}) };
    });
  }

  get error(): unknown {
    return this.lastError;
  }

  /**
   * Replays the whole log into a projection, page by page. Where the store builds beside the
   * live model (MongoDB: no transaction there may grow with a collection), the replay goes into a
   * shadow that catches up to the head, events appended meanwhile included, and is swapped in;
   * the few events appended between the last page and the swap are applied right after it.
   * Elsewhere its collections are cleared and its checkpoint reset in one transaction.
   * Reactors are not involved: they have their own subscription and checkpoints.
   */
  async rebuild(name: string, onProgress?: (done: number, total: number) => void): Promise<number> {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new Error(`unknown projection ${name}; known: ${this.projections.map((x) => x.name).join(', ')}`);
    if (this.store.shadowBuild) {
      const shadow = await this.store.shadowBuild(p.name, p.collections);
      const replayed = await this.catchUp(p, onProgress, shadow);
      await shadow.swap();
      return replayed + (await this.catchUp(p, onProgress));
    }
    await this.store.transaction(async (tx) => {
      // Read first: on a server store this takes the projection's checkpoint lock, so a page that
      // another process is applying commits before the reset (or waits for it) and can never
      // write its checkpoint over the reset one.
      await tx.getCheckpoint(p.name);
      for (const c of p.collections) await tx.dropCollection(c.name);
      await tx.setCheckpoint(p.name, 0);
    });
    return this.catchUp(p, onProgress);
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = null;
    await this.subscription?.close();
    this.subscription = null;
    await Promise.all(this.catchingUp.values());
    await this.flushing;
    await this.flushQuiet().catch((err: unknown) => this.options.onError?.(err));
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
  }
}
