/**
 * The EventStore port. Every adapter (SQLite embedded, KurrentDB) implements exactly this
 * and passes test/contract/event-store.contract.ts.
 *
 * Versions are 0-based stream revisions (the first event of a stream has version 0), as in
 * EventStoreDB. Positions are global, strictly increasing integers (SQLite rowid, PostgreSQL
 * position; KurrentDB commit position, a byte offset), usable as projection checkpoints. Events
 * from append(), readAll() and subscriptions always carry theirs; events read with readStream()
 * carry -1 where the server reports none on stream reads (KurrentDB/EventStoreDB before 22.6).
 */

/** Who/what caused an event. Everything is optional: system events have no actor. */
export interface EventMetadata {
  actor_id?: string | null;
  tenant_id?: string | null;
  correlation_id?: string | null;
  causation_id?: string | null;
  ip?: string | null;
  user_agent?: string | null;
  /** Tamper evidence: SHA-256 of the previous event of the same stream (null for the first). */
  prev_hash?: string | null;
  /** Tamper evidence: SHA-256 over canonical JSON of this event and prev_hash. */
  hash?: string;
  [key: string]: unknown;
}

export interface NewEvent<D = Record<string, unknown>> {
  /** UUID; generated when absent. Used for dedup by reactors. */
  id?: string;
  /** Past tense, explicit string, never a class name. */
  type: string;
  data: D;
  metadata?: EventMetadata;
  schema_version?: number;
  /** ISO time; defaults to the store's clock at append. */
  occurred_at?: string;
}

export interface StoredEvent<D = Record<string, unknown>> {
  id: string;
  type: string;
  stream: string;
  version: number;
  position: number;
  occurred_at: string;
  data: D;
  metadata: EventMetadata;
  schema_version: number;
}

/** `no_stream`: the stream must not exist; `any`: no check; a number: the stream's current last version. */
export type ExpectedVersion = 'no_stream' | 'any' | number;

export interface AppendResult {
  /** Version of the last event written (the stream's new current version). */
  version: number;
  /** Global position of the last event written. */
  position: number;
  events: StoredEvent[];
}

/** One stream's part of an {@link EventStore.appendMany} set. */
export interface StreamAppend {
  stream: string;
  /** May be empty: then the entry only checks the stream's expected version. */
  events: NewEvent[];
  expected: ExpectedVersion;
}

export interface ReadAllOptions {
  /** Exclusive lower bound: events with position > from. 0 reads from the beginning. */
  from?: number;
  limit?: number;
  types?: readonly string[];
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events with position > from. */
  from: number;
  types?: readonly string[];
  /** Called once per event, in order; the next one waits for the promise. */
  onEvent?: (event: StoredEvent) => Promise<void> | void;
  /**
   * Alternative to onEvent: a page of consecutive events at once (projections commit per page).
   * `after` is the exclusive position the page was read from: the page holds every event in
   * (after, last position].
   */
  onBatch?: (events: StoredEvent[], after: number) => Promise<void> | void;
  /** Called once caught up with the head the first time (then live). */
  onCaughtUp?: () => void;
  onError?: (err: unknown) => void;
  batchSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves when the in-flight event finished. */
  close(): Promise<void>;
}

export interface EventStore {
  readonly kind: string;
  append(stream: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /**
   * Several appends, all or nothing: every entry's expected version is checked and every event
   * written in one transaction, or none is (a ConcurrencyError names the first stream whose
   * version did not match; nothing of the set is visible or delivered). Positions of the set are
   * contiguous, in entry order; each stream's hash chain goes on from its last event, and a
   * stream named twice continues from its earlier entry. Results are in entry order. Present only
   * on adapters that can guarantee atomicity: callers without it take a path of single appends.
   */
  appendMany?(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /**
   * Events of one stream in version order, from a version (inclusive, default 0), at most `limit`
   * of them (default: all). Fewer than `limit` means the stream ends there, so a reader pages
   * through a long stream with bounded memory (see `readStreamPages`).
   */
  readStream(stream: string, fromVersion?: number, limit?: number): Promise<StoredEvent[]>;
  /** Current last version of a stream, or -1 when it does not exist. */
  streamVersion(stream: string): Promise<number>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** Position of the newest event in the store (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * How many events lie in (after, upTo], at most `cap`. Only adapters whose positions are not
   * consecutive integers need it (KurrentDB: byte offsets); elsewhere it is `upTo - after`.
   */
  countEvents?(after: number, upTo: number, cap: number): Promise<number>;
  /** Catch-up from a checkpoint, then live (including appends by other processes). */
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * One stream in pages of at most `pageSize` events from `fromVersion` on: what a reader holds at a
 * time is one page, whatever the stream's length. The next page starts after the last version
 * read, so a stream whose versions do not start at 0 (a truncated KurrentDB stream) pages right too.
 */
export async function* readStreamPages(
  store: EventStore,
  stream: string,
  fromVersion: number,
  pageSize: number,
): AsyncGenerator<StoredEvent[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`page size must be a positive integer, not ${pageSize}`);
  for (let from = fromVersion; ;) {
    const page = await store.readStream(stream, from, pageSize);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    from = page[page.length - 1]!.version + 1;
  }
}

/** The one typed error every adapter raises on an expected-version mismatch. */
export class ConcurrencyError extends Error {
  readonly code = 'concurrency_conflict';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${stream}: expected version ${String(expected)}, actual ${actual}`);
    this.name = 'ConcurrencyError';
  }
}
