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
  streamNameFilter,
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
import { retryFirstConnection } from '../shared/connect-retry.js';

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
/** What a value reads back as after travelling as JSON bytes. */
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const isSystem = (stream: string, type: string): boolean => stream.startsWith('$') || type.startsWith('$');
/** Positions of events not written in explicit transactions have commit === prepare. */
const toPosition = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });
/**
 * A commit position as a number, or null where the server gave none: reads of a stream (not of
 * $all) carry no position before KurrentDB/EventStoreDB 22.6 (the client then reports u64::MAX).
 */
const U64_MAX = 18_446_744_073_709_551_615n;
const commitOf = (c: bigint | undefined): number | null => (c === undefined || c < 0n || c >= U64_MAX ? null : Number(c));
const isWrongVersion = (err: unknown): err is WrongExpectedVersionError =>
  err instanceof WrongExpectedVersionError || (err as { type?: string } | null)?.type === 'wrong-expected-version';
/** Errors of a server that is not (yet) reachable or has no leader yet; anything else is a configuration error. */
const isTransient = (err: unknown): boolean =>
  ['unavailable', 'deadline-exceeded', 'timeout', 'not-leader'].includes((err as { type?: string } | null)?.type ?? '');
const isNotFound = (err: unknown): boolean =>
  err instanceof StreamNotFoundError || (err as { type?: string } | null)?.type === 'stream-not-found';

/**
 * Production event store over KurrentDB (EventStoreDB). version = stream revision, position =
 * commit position in the transaction log. The SQLite adapter's hash chain is reproduced exactly:
 * every append first reads the stream's last event for prev_hash and then appends with that
 * concrete revision as streamState, so two writers can never fork the chain (the loser gets
 * WrongExpectedVersion; for expected 'any' we re-read and retry).
 *
 * No appendMany (the port's atomic multi-stream append): the client's multiStreamAppend needs a
 * 25.1+ server (older ones answer UnsupportedError), takes metadata only as a flat map of strings
 * (our envelope is nested JSON, so events written that way would read back in another shape) and
 * reports one position for the whole set, and no server here can prove it. Callers fall back to
 * their single-append path (the brute-force claim) when the store has no appendMany.
 */
export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb';
  private readonly subscriptions = new Set<Subscription>();

  private readonly reopenDelayMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly client: KurrentDBClient,
    private readonly now: () => Date = () => new Date(),
    private readonly maxAnyRetries = 20,
    options: { reopenDelayMs?: number; pollMs?: number } = {},
  ) {
    this.reopenDelayMs = options.reopenDelayMs ?? 1000;
    this.pollMs = options.pollMs ?? 2000;
  }

  /**
   * A store on a connection string: `kurrentdb://host:2113?tls=false` for an insecure node, or in
   * secure mode `kurrentdb://user:password@host:2113?tls=true&tlsCAFile=/path/ca.crt` (see
   * README: the user must be able to read $all, which only $admins can by default). Waits for the
   * server with retries (it may still be starting), but fails at once on bad credentials.
   */
  static async connect(url: string, now: () => Date = () => new Date()): Promise<KurrentDbEventStore> {
    const store = new KurrentDbEventStore(KurrentDBClient.connectionString(url), now);
    try {
      await retryFirstConnection('KurrentDB', () => store.headPosition(), isTransient);
    } catch (err) {
      await store.client.dispose().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private toStored(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
    const e = resolved.event;
    if (!e || !e.isJson) return null;
    const env = (e.metadata ?? {}) as Partial<Envelope>;
    const commit = commitOf(e.position?.commit) ?? commitOf(resolved.commitPosition);
    return {
      id: e.id,
      type: e.type,
      stream: e.streamId,
      version: Number(e.revision),
      position: commit ?? -1,
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
      let appended: Awaited<ReturnType<KurrentDBClient['appendToStream']>>;
      try {
        appended = await this.client.appendToStream(
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
      const stored = await this.appendedEvents(stream, current, prepared, commitOf(appended.position?.commit));
      const lastStored = stored[stored.length - 1]!;
      return { version: lastStored.version, position: lastStored.position, events: stored };
    }
  }

  /**
   * The events just written, with their $all positions. The append answers with the commit
   * position of its last event (every server version); the earlier events of a multi-event append
   * are the events of this stream just before it in $all, read backwards from there (reads of $all
   * carry positions on every version, reads of a stream only from 22.6). The envelope is ours.
   */
  private async appendedEvents(
    stream: string,
    current: number,
    prepared: ReturnType<KurrentDbEventStore['prepare']>,
    lastPosition: number | null,
  ): Promise<StoredEvent[]> {
    const positions = new Map<string, number>();
    if (lastPosition !== null) {
      positions.set(prepared[prepared.length - 1]!.id, lastPosition);
      if (prepared.length > 1) {
        for await (const resolved of this.client.readAll({
          direction: BACKWARDS,
          fromPosition: toPosition(lastPosition),
          maxCount: prepared.length - 1,
          filter: streamNameFilter({ regex: `^${escapeRegex(stream)}$` }),
        })) {
          const commit = commitOf(resolved.event?.position?.commit) ?? commitOf(resolved.commitPosition);
          if (resolved.event && commit !== null) positions.set(resolved.event.id, commit);
        }
      }
    }
    // An append the server took as a retry of earlier ids (idempotent) reports no position: take
    // the head then, which is at or after these events, so read-your-writes still completes.
    const fallback = prepared.some((p) => !positions.has(p.id)) ? await this.headPosition() : 0;
    return prepared.map((p, i) => ({
      id: p.id,
      type: p.type,
      stream,
      version: current + 1 + i,
      position: positions.get(p.id) ?? fallback,
      occurred_at: p.envelope.occurred_at,
      data: json(p.data),
      metadata: json(p.envelope.metadata),
      schema_version: p.envelope.schema_version,
    }));
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

  /**
   * `limit` is the server's maxCount. A page the server filled may hold events that are not ours
   * (not JSON: skipped), so it is read on from after the last revision until `limit` of ours are
   * in or the stream ends: fewer than `limit` then means the end, as the port says.
   */
  async readStream(stream: string, fromVersion = 0, limit?: number): Promise<StoredEvent[]> {
    const out: StoredEvent[] = [];
    let from = BigInt(fromVersion);
    try {
      for (;;) {
        const want = limit === undefined ? undefined : limit - out.length;
        let raw = 0;
        let last = -1n;
        for await (const resolved of this.client.readStream(stream, { direction: FORWARDS, fromRevision: from, maxCount: want })) {
          raw++;
          if (resolved.event) last = resolved.event.revision;
          const e = this.toStored(resolved);
          if (e) out.push(e);
        }
        if (want === undefined || raw < want || out.length >= limit! || last < 0n) return out;
        from = last + 1n;
      }
    } catch (err) {
      if (isNotFound(err)) return out;
      throw err;
    }
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
   * safety poll. The live subscription is reopened whenever it stops, whether it fails ('error')
   * or the server ends it ('end'/'close' on shutdown or a leader change); the pull loop then goes
   * on from its own checkpoint, so nothing appended meanwhile is skipped or delivered twice.
   */
  subscribe(options: SubscribeOptions): Subscription {
    const sub = new Subscriber(options, (from, limit) => this.readAll({ from, limit, types: options.types }));
    let live: AllStreamSubscription | null = null;
    let closed = false;
    const wake = () => sub.wake();
    const reopenLater = () =>
      setTimeout(() => {
        openLive();
        wake(); // anything appended while the wake-up channel was down
      }, this.reopenDelayMs).unref();
    const openLive = () => {
      if (closed) return;
      let s: AllStreamSubscription;
      try {
        s = this.client.subscribeToAll({ fromPosition: END, filter: this.filterFor(options.types) });
      } catch (err) {
        options.onError?.(err);
        reopenLater(); // the safety poll keeps delivering meanwhile
        return;
      }
      const stopped = (err?: unknown) => {
        if (closed || live !== s) return;
        if (err !== undefined) options.onError?.(err);
        live = null;
        // Keep the error listener: a later 'error' on the dead stream must not crash the process.
        s.removeAllListeners('data');
        void s.unsubscribe().catch(() => undefined);
        reopenLater();
      };
      s.on('data', wake);
      s.on('confirmation', wake);
      s.on('caughtUp', wake);
      s.on('error', (err) => stopped(err));
      s.on('end', () => stopped());
      s.on('close', () => stopped());
      live = s;
    };
    openLive();
    const poll = setInterval(wake, this.pollMs);
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

  /**
   * Events in (after, upTo], counted by reading $all: positions here are byte offsets in the
   * transaction log, so `upTo - after` is no count of events. Counts at most `cap`.
   */
  async countEvents(after: number, upTo: number, cap: number): Promise<number> {
    let n = 0;
    let from = after;
    while (n < cap && from < upTo) {
      const page = await this.readAll({ from, limit: Math.min(1000, cap - n) });
      const inRange = page.filter((e) => e.position <= upTo);
      n += inRange.length;
      if (inRange.length < page.length || page.length === 0) break;
      from = page[page.length - 1]!.position;
    }
    return Math.min(n, cap);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }
}
