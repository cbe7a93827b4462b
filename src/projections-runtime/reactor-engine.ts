import type { EventStore, StoredEvent, Subscription } from '../eventstore/event-store.port.js';
import type { ReadStore } from '../readstore/read-store.port.js';
import type { ReactorDefinition } from './reactor.js';

const checkpointName = (reactor: string) => `reactor:${reactor}`;

/**
 * Runs each reactor on its own subscription with its own checkpoint. A reactor deployed on
 * an existing store starts at the head (it never mails about history); afterwards it resumes
 * from its checkpoint, so a restart neither skips nor repeats work (effects are keyed by event id).
 * Several app processes may run the same reactors on one store: each page is claimed under the
 * reactor's checkpoint (see claim), so each effect is enqueued by one process.
 */
export class ReactorEngine {
  private subs: Subscription[] = [];
  private readonly processed = new Map<string, number>();
  private waiters: Array<{ position: number; resolve: (ok: boolean) => void }> = [];

  constructor(
    private readonly events: EventStore,
    private readonly store: ReadStore,
    private readonly reactors: readonly ReactorDefinition[],
    private readonly onError: (reactor: string, err: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const cps = await this.store.listCheckpoints();
    const head = await this.events.headPosition();
    for (const r of this.reactors) {
      let from = cps[checkpointName(r.name)];
      if (from === undefined) {
        from = head;
        await this.store.setCheckpoint(checkpointName(r.name), head);
      }
      this.processed.set(r.name, from);
      const handled = new Set(r.handles);
      this.subs.push(
        this.events.subscribe({
          from,
          // One claim (transaction) and one checkpoint write per page, not per event. A page that
          // fails part-way is delivered again from its start; effects are keyed by event id.
          onBatch: async (batch) => {
            const done = await this.claim(r, handled, batch);
            this.processed.set(r.name, Math.max(this.processed.get(r.name) ?? 0, done));
            this.release();
          },
          onCaughtUp: () => this.release(),
          onError: (err) => this.onError(r.name, err),
        }),
      );
    }
  }

  /**
   * Reacts to a page under the reactor's checkpoint, in one read-store transaction: the checkpoint
   * is read under its lock (PostgreSQL: an advisory lock; SQLite: the write lock), so when every
   * app process runs the reactor, the first one to take the page reacts and the others find the
   * checkpoint past it and skip. A crash before the commit re-delivers the page (effects are keyed
   * by event id). Returns the position the reactor has now handled.
   */
  private claim(r: ReactorDefinition, handled: Set<string>, batch: StoredEvent[]): Promise<number> {
    const last = batch[batch.length - 1]!.position;
    return this.store.transaction(async (tx) => {
      const cp = await tx.getCheckpoint(checkpointName(r.name));
      if (cp >= last) return cp;
      for (const e of batch) if (e.position > cp && handled.has(e.type)) await r.react(e);
      await tx.setCheckpoint(checkpointName(r.name), last);
      return last;
    });
  }

  private min(): number {
    return this.reactors.length ? Math.min(...this.reactors.map((r) => this.processed.get(r.name) ?? 0)) : Infinity;
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

  /** Resolves once every reactor has handled `position` (tests; graceful shutdown). */
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
    await Promise.all(this.subs.map((s) => s.close()));
    this.subs = [];
  }
}
