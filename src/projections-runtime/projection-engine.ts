import type { EventStore, StoredEvent, Subscription } from '../eventstore/event-store.port.js';
import type { ReadStore } from '../readstore/read-store.port.js';
import type { ProjectionDefinition } from './projection.js';

export interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  lag: number;
}

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
 */
export class ProjectionEngine {
  private subscription: Subscription | null = null;
  private readonly byType = new Map<string, ProjectionDefinition[]>();
  private processed = 0;
  private waiters: Waiter[] = [];
  private lastError: unknown = null;

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadStore,
    private readonly projections: readonly ProjectionDefinition[],
    private readonly options: { batchSize?: number; onError?: (err: unknown) => void } = {},
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
   */
  async applyBatch(batch: StoredEvent[], after: number, only: readonly ProjectionDefinition[] = this.projections): Promise<string[]> {
    if (batch.length === 0) return [];
    const last = batch[batch.length - 1]!.position;
    const behind: string[] = [];
    await this.store.transaction(async (tx) => {
      behind.length = 0;
      for (const p of only) {
        const cp = await tx.getCheckpoint(p.name);
        if (cp >= last) continue;
        if (cp < after) {
          behind.push(p.name);
          continue;
        }
        const handled = new Set(p.handles);
        for (const e of batch) {
          if (e.position > cp && handled.has(e.type)) await p.apply(e, tx);
        }
        await tx.setCheckpoint(p.name, last);
      }
    });
    return behind;
  }

  /** The live subscription's page: all projections, then catch up any that were reset meanwhile. */
  private async applyLive(batch: StoredEvent[], after: number): Promise<void> {
    const behind = await this.applyBatch(batch, after);
    for (const name of behind) await this.catchUp(this.projections.find((p) => p.name === name)!);
    this.processed = Math.max(this.processed, batch[batch.length - 1]!.position);
    this.lastError = null;
    this.releaseWaiters();
  }

  /** Replays a projection from its own checkpoint up to the head (after a reset or a rebuild elsewhere). */
  private async catchUp(p: ProjectionDefinition, onProgress?: (done: number, total: number) => void): Promise<number> {
    const batchSize = this.options.batchSize ?? 2000;
    const total = await this.events.headPosition();
    let count = 0;
    for (;;) {
      const from = (await this.store.listCheckpoints())[p.name] ?? 0;
      const page = await this.events.readAll({ from, limit: batchSize });
      if (page.length === 0) break;
      await this.applyBatch(page, from, [p]);
      count += page.length;
      onProgress?.(page[page.length - 1]!.position, Math.max(total, page[page.length - 1]!.position));
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

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.events.headPosition();
    const cps = await this.store.listCheckpoints();
    return this.projections.map((p) => {
      const checkpoint = cps[p.name] ?? 0;
      return { name: p.name, checkpoint, head, lag: Math.max(0, head - checkpoint) };
    });
  }

  get error(): unknown {
    return this.lastError;
  }

  /**
   * Drops a projection's collections and replays the whole log into it, page by page.
   * Reactors are not involved: they have their own subscription and checkpoints.
   */
  async rebuild(name: string, onProgress?: (done: number, total: number) => void): Promise<number> {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new Error(`unknown projection ${name}; known: ${this.projections.map((x) => x.name).join(', ')}`);
    await this.store.transaction(async (tx) => {
      for (const c of p.collections) await tx.dropCollection(c.name);
      await tx.setCheckpoint(p.name, 0);
    });
    return this.catchUp(p, onProgress);
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = null;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
  }
}
