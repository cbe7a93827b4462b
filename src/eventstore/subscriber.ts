import type { EventEmitter } from 'node:events';
import type { StoredEvent, SubscribeOptions, Subscription } from './event-store.port.js';

/**
 * A Subscriber over a paged reader, woken by every 'appended' of `emitter` (appends of this
 * process, or another process's noticed by the adapter's poll or notification).
 */
export function subscribeOnEmitter(
  emitter: EventEmitter,
  options: SubscribeOptions,
  readPage: (from: number, limit: number) => Promise<StoredEvent[]>,
): Subscription {
  const sub = new Subscriber(options, readPage);
  const wake = () => sub.wake();
  emitter.on('appended', wake);
  sub.start();
  return {
    close: async () => {
      emitter.off('appended', wake);
      await sub.stop();
    },
  };
}

/**
 * Catch-up-then-live delivery loop shared by adapters that pull pages from the global log.
 * Delivers each event once, in order, and never runs two deliveries at the same time; a
 * wake-up while reading is remembered so no append is missed.
 */
export class Subscriber {
  private checkpoint: number;
  private running = false;
  private scheduled = false;
  private pending = false;
  private stopped = false;
  private caughtUp = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: SubscribeOptions,
    private readonly readPage: (from: number, limit: number) => Promise<StoredEvent[]>,
  ) {
    this.checkpoint = options.from;
  }

  start(): void {
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    // Deferred by one macrotask: the appends of one command (a code check appends up to four
    // times without real I/O in between) and of concurrent requests then arrive as one page,
    // i.e. one read-model transaction instead of one per append.
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  private run(): void {
    if (this.stopped || this.running) return;
    this.running = true;
    this.loop = this.drain().finally(() => {
      this.running = false;
      if (this.pending && !this.stopped) {
        this.pending = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    const limit = this.options.batchSize ?? 500;
    try {
      for (;;) {
        if (this.stopped) return;
        this.pending = false;
        const page = await this.readPage(this.checkpoint, limit);
        if (this.options.onBatch) {
          if (page.length > 0) {
            await this.options.onBatch(page, this.checkpoint);
            this.checkpoint = page[page.length - 1]!.position;
          }
        } else {
          for (const event of page) {
            if (this.stopped) return;
            await this.options.onEvent?.(event);
            this.checkpoint = event.position;
          }
        }
        if (page.length < limit && !this.pending) break;
      }
      if (!this.caughtUp) {
        this.caughtUp = true;
        this.options.onCaughtUp?.();
      }
    } catch (err) {
      if (this.options.onError) this.options.onError(err);
      // Retry later from the last delivered event: nothing is skipped.
      if (!this.stopped) setTimeout(() => this.wake(), 500).unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
