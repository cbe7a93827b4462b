import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  FORWARDS,
  NO_STREAM,
  START,
  KurrentDBClient,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendStreamState,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  ConcurrencyError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
} from './event-store.port.js';
import { chainHash } from './hash-chain.js';
import { Subscriber } from './subscriber.js';

/** What we store in a KurrentDB event's metadata: the envelope fields the server has no slot for. */
interface Envelope {
  occurred_at: string;
  schema_version: number;
  metadata: EventMetadata;
  /** Standard KurrentDB keys, so the $by_correlation_id system projection works. */
  $correlationId?: string;
  $causationId?: string;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isSystem = (stream: string, type: string): boolean => stream.startsWith('$') || type.startsWith('$');
/** Positions of events not written in explicit transactions have commit === prepare. */
const toPosition = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
const isWrongVersion = (err: unknown): err is WrongExpectedVersionError =>
  err instanceof WrongExpectedVersionError || (err as { type?: string } | null)?.type === 'wrong-expected-version';
const isNotFound = (err: unknown): boolean =>
  err instanceof StreamNotFoundError || (err as { type?: string } | null)?.type === 'stream-not-found';

/**
 * Production event store over KurrentDB (EventStoreDB). version = stream revision, position =
 * commit position in the transaction log. The SQLite adapter's hash chain is reproduced exactly:
 * every append first reads the stream's last event for prev_hash and then appends with that
 * concrete revision as streamState, so two writers can never fork the chain (the loser gets
 * WrongExpectedVersion; for expected 'any' we re-read and retry).
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb';
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly client: KurrentDBClient,
    private readonly now: () => Date = () => new Date(),
    private readonly maxAnyRetries = 20,
  ) {}

  static async connect(url: string, now: () => Date = () => new Date()): Promise<KurrentDbEventStore> {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(url), now);
  }

  private toStored(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
    const e = resolved.event;
    if (!e || !e.isJson) return null;
    const env = (e.metadata ?? {}) as Partial<Envelope>;
    const commit = e.position?.commit ?? resolved.commitPosition;
    return {
      id: e.id,
      type: e.type,
      stream: e.streamId,
      version: Number(e.revision),
      position: commit === undefined ? -1 : Number(commit),
      occurred_at: env.occurred_at ?? e.created.toISOString(),
      data: (e.data ?? {}) as Record<string, unknown>,
      metadata: env.metadata ?? {},
      schema_version: env.schema_version ?? 1,
    };
  }

  private async lastEvent(stream: string): Promise<StoredEvent | null> {
    try {
      for await (const resolved of this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const e = resolved.event;
        if (!e) continue;
        return this.toStored(resolved) ?? ({ version: Number(e.revision), metadata: {} } as StoredEvent);
      }
      return null;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (stream.startsWith('$')) throw new Error(`refusing to append to system stream ${stream}`);
    if (events.length === 0) return { version: await this.streamVersion(stream), position: await this.headPosition(), events: [] };
    for (let attempt = 0; ; attempt++) {
      const last = await this.lastEvent(stream);
      const current = last ? last.version : -1;
      if (expected === 'no_stream' ? current !== -1 : expected !== 'any' && expected !== current) {
        throw new ConcurrencyError(stream, expected, current);
      }
      // Always a concrete state: the hash chain below was computed against exactly this head.
      const state: AppendStreamState = current === -1 ? NO_STREAM : BigInt(current);
      const prepared = this.prepare(events, last);
      try {
        await this.client.appendToStream(
          stream,
          prepared.map((p) =>
            jsonEvent({ id: p.id, type: p.type, data: p.data, metadata: p.envelope as unknown as Record<string, unknown> }),
          ),
          { streamState: state },
        );
      } catch (err) {
        if (!isWrongVersion(err)) throw err;
        const actual =
          err.actualState === NO_STREAM
            ? -1
            : typeof err.actualState === 'bigint'
              ? Number(err.actualState)
              : await this.streamVersion(stream);
        if (expected === 'any' && attempt < this.maxAnyRetries) continue;
        throw new ConcurrencyError(stream, expected, actual);
      }
      // Read back what was written: gives each event its exact commit position as $all reports it.
      const stored = (await this.readStream(stream, current + 1)).slice(0, prepared.length);
      const lastStored = stored[stored.length - 1]!;
      return { version: lastStored.version, position: lastStored.position, events: stored };
    }
  }

  private prepare(events: NewEvent[], last: StoredEvent | null) {
    let prevHash: string | null = last ? ((last.metadata.hash as string | undefined) ?? null) : null;
    const at = this.now().toISOString();
    return events.map((e) => {
      const id = e.id ?? randomUUID();
      const occurred_at = e.occurred_at ?? at;
      const metadata: EventMetadata = { ...(e.metadata ?? {}), prev_hash: prevHash };
      delete metadata.hash;
      const hash = chainHash({ id, type: e.type, occurred_at, data: e.data, metadata }, prevHash);
      prevHash = hash;
      const envelope: Envelope = { occurred_at, schema_version: e.schema_version ?? 1, metadata: { ...metadata, hash } };
      if (metadata.correlation_id) envelope.$correlationId = metadata.correlation_id;
      if (metadata.causation_id) envelope.$causationId = metadata.causation_id;
      return { id, type: e.type, data: e.data, envelope };
    });
  }

  async readStream(stream: string, fromVersion = 0): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, { direction: FORWARDS, fromRevision: BigInt(fromVersion) })) {
        const e = this.toStored(resolved);
        if (e) out.push(e);
      }
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return out;
  }

  async streamVersion(stream: string): Promise<number> {
    const last = await this.lastEvent(stream);
    return last ? last.version : -1;
  }

  private filterFor(types?: readonly string[]) {
    // Server-side filter on event type; '$'-streams are dropped client-side below.
    const regex = types && types.length > 0 ? `^(?:${types.map(escapeRegex).join('|')})$` : '^[^$]';
    return eventTypeFilter({ regex });
  }

  async readAll({ from = 0, limit = 1000, types }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    if (types && types.length === 0) return [];
    const out: StoredEvent[] = [];
    const chunk = Math.max(1, Math.min(limit, 4096));
    let cursor = from;
    for (;;) {
      let raw = 0;
      // Reads of $all are inclusive of fromPosition; `from` is exclusive here, so skip <= cursor.
      const iter = this.client.readAll({
        direction: FORWARDS,
        fromPosition: cursor > 0 ? toPosition(cursor) : START,
        maxCount: chunk + 1,
        filter: this.filterFor(types),
      });
      let next = cursor;
      for await (const resolved of iter) {
        raw++;
        const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
        if (commit === undefined || Number(commit) <= cursor) continue;
        next = Number(commit);
        const e = this.toStored(resolved);
        if (!e || isSystem(e.stream, e.type)) continue;
        if (out.length < limit) out.push(e);
      }
      if (out.length >= limit || raw < chunk + 1 || next === cursor) return out;
      cursor = next;
    }
  }

  async headPosition(): Promise<number> {
    let after = -1;
    let from: Position | typeof END = END;
    // Newest non-system event; a few backward pages at most (system events are filtered server-side).
    for (let page = 0; page < 100; page++) {
      let seen = 0;
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: from,
        maxCount: 64,
        filter: this.filterFor(),
      })) {
        seen++;
        const e = resolved.event;
        const commit = e?.position?.commit ?? resolved.commitPosition;
        if (commit === undefined || !e) continue;
        if (!isSystem(e.streamId, e.type)) return Number(commit);
        after = Number(commit);
      }
      if (seen < 64 || after < 0) return 0;
      from = toPosition(after);
    }
    return 0;
  }

  /**
   * The shared pull loop (exactly once, in order, resumable from an exclusive checkpoint) reads
   * pages of $all; a live subscribeToAll from END is used only as a wake-up signal, plus a slow
   * safety poll in case the live subscription drops between reconnects.
   */
  subscribe(options: SubscribeOptions): Subscription {
    const sub = new Subscriber(options, (from, limit) => this.readAll({ from, limit, types: options.types }));
    let live: AllStreamSubscription | null = null;
    let closed = false;
    const wake = () => sub.wake();
    const openLive = () => {
      if (closed) return;
      let s: AllStreamSubscription;
      try {
        s = this.client.subscribeToAll({ fromPosition: END, filter: this.filterFor(options.types) });
      } catch (err) {
        options.onError?.(err);
        setTimeout(openLive, 1000).unref(); // the safety poll keeps delivering meanwhile
        return;
      }
      s.on('data', wake);
      s.on('confirmation', wake);
      s.on('caughtUp', wake);
      s.on('error', (err) => {
        if (closed || live !== s) return;
        options.onError?.(err);
        live = null;
        // Keep an error listener: a later 'error' on the dead stream must not crash the process.
        s.removeAllListeners('data');
        void s.unsubscribe().catch(() => undefined);
        setTimeout(() => {
          openLive();
          wake(); // anything appended while the wake-up channel was down
        }, 1000).unref();
      });
      live = s;
    };
    openLive();
    const poll = setInterval(wake, 2000);
    poll.unref();
    sub.start();
    const handle: Subscription = {
      close: async () => {
        closed = true;
        clearInterval(poll);
        this.subscriptions.delete(handle);
        const s = live as AllStreamSubscription | null;
        if (s) await s.unsubscribe().catch(() => undefined);
        await sub.stop();
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }
}
