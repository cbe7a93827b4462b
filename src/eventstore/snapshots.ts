import { createHash } from 'node:crypto';
import type { ReadStore } from '../readstore/read-store.port.js';

/**
 * Aggregate snapshots: a cache of an aggregate's state at one event of its stream, so a hot-path
 * command reads the snapshot and only the events after it instead of the whole stream.
 *
 * A snapshot is only ever a shortcut, never a source of truth: it names the version AND the id
 * of the event it was taken at, and the repository uses it only when the stream still holds
 * exactly that event at that version (it re-reads that event as the first one of the tail).
 * A snapshot of another schema, with a wrong digest, unparsable, or ahead of / beside the
 * stream is ignored and the stream is replayed from the start. Nothing is ever deleted from
 * the log, so the audit and `audit:verify` do not change.
 *
 * Two tiers: the newest state of recently used streams in memory (bounded LRU), and a
 * persisted copy in the ReadStore (collection `aggregate_snapshots`, one document per stream)
 * written every `every` events, which serves restarts and other processes. Both go through
 * the ports only, so every event-store and read-store adapter gets them unchanged.
 */
export const SNAPSHOT_COLLECTION = 'aggregate_snapshots';

export interface Snapshot {
  schema: number;
  version: number;
  event_id: string;
  /** The state as JSON text: parsed afresh on every load, so a decider can never alter the cache. */
  state: string;
}

interface SnapshotDoc extends Snapshot {
  id: string;
  digest: string;
  [key: string]: unknown;
}

interface Cached extends Snapshot {
  /** Version of the persisted copy (or -1): decides when the next one is written. */
  persisted: number;
}

export interface SnapshotOptions {
  /** Persist a snapshot once this many events accumulated after the persisted one. */
  every?: number;
  /** Streams kept in memory. */
  cacheSize?: number;
}

const digestOf = (stream: string, s: Snapshot) =>
  createHash('sha256').update(`${stream}\n${s.schema}\n${s.version}\n${s.event_id}\n${s.state}`).digest('base64url');

export class SnapshotStore {
  private readonly memory = new Map<string, Cached>();
  private readonly every: number;
  private readonly cacheSize: number;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly reads: ReadStore | null,
    options: SnapshotOptions = {},
  ) {
    this.every = options.every ?? 32;
    this.cacheSize = options.cacheSize ?? 20_000;
  }

  /** The newest usable candidate for this schema, or null. The caller still checks it against the stream. */
  async read(stream: string, schema: number): Promise<(Snapshot & { persisted: number }) | null> {
    const hit = this.memory.get(stream);
    if (hit) {
      // refresh LRU order
      this.memory.delete(stream);
      this.memory.set(stream, hit);
      if (hit.schema === schema) return hit;
    }
    if (!this.reads) return null;
    const doc = await this.collection().then((c) => c.get(stream));
    if (!doc || !isSnapshotDoc(doc) || doc.schema !== schema || doc.digest !== digestOf(stream, doc)) return null;
    return { schema: doc.schema, version: doc.version, event_id: doc.event_id, state: doc.state, persisted: doc.version };
  }

  /** Records the state at (version, event_id); persists it when enough events piled up since the last copy. */
  async remember(stream: string, snap: Snapshot, persisted: number): Promise<void> {
    let next = persisted;
    if (this.reads && snap.version - persisted >= this.every) {
      const doc: SnapshotDoc = { id: stream, ...snap, digest: digestOf(stream, snap) };
      try {
        await (await this.collection()).upsert(doc);
        next = snap.version;
      } catch {
        // a cache write that fails costs a longer replay next time, never a wrong answer
      }
    }
    this.memory.delete(stream);
    this.memory.set(stream, { ...snap, persisted: next });
    if (this.memory.size > this.cacheSize) this.memory.delete(this.memory.keys().next().value!);
  }

  /** Drops every in-memory copy (GDPR erasure: they hold decrypted state; persisted ones are scrubbed by the caller). */
  forgetAll(): void {
    this.memory.clear();
  }

  /** Drops the in-memory copy (the persisted one is checked on use anyway). */
  forget(stream: string): void {
    this.memory.delete(stream);
  }

  private collection() {
    this.ready ??= this.reads!.ensureCollection({ name: SNAPSHOT_COLLECTION });
    return this.ready.then(() => this.reads!.collection<SnapshotDoc>(SNAPSHOT_COLLECTION));
  }
}

function isSnapshotDoc(d: Record<string, unknown>): d is SnapshotDoc {
  return (
    typeof d.schema === 'number' &&
    Number.isInteger(d.version) &&
    (d.version as number) >= 0 &&
    typeof d.event_id === 'string' &&
    typeof d.state === 'string' &&
    typeof d.digest === 'string'
  );
}
