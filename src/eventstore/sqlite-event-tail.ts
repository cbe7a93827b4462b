import type { StoredEvent } from './event-store.port.js';

/** One row of the SQLite `events` table (data and metadata still JSON text). */
export interface EventRow {
  position: number;
  id: string;
  stream: string;
  version: number;
  type: string;
  occurred_at: string;
  data: string;
  metadata: string;
  schema_version: number;
}

export const toEvent = (r: EventRow): StoredEvent => ({
  id: r.id,
  type: r.type,
  stream: r.stream,
  version: r.version,
  position: r.position,
  occurred_at: r.occurred_at,
  data: JSON.parse(r.data),
  metadata: JSON.parse(r.metadata),
  schema_version: r.schema_version,
});

/** Freezes a parsed JSON value all the way down (plain objects and arrays only). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface Entry {
  row: EventRow | null;
  event: StoredEvent | null;
}

/**
 * The events this connection committed most recently, so a subscription reading the page right
 * after an append (the projection engine and every reactor do, for every append) is answered
 * without a SELECT and a JSON.parse per subscription. It answers only where the SQL would give
 * exactly the same events:
 * - it holds every event in (after, head], consecutive positions, rows of committed
 *   transactions only (a savepoint rolled back in a group commit never reaches it);
 * - it is trusted only while PRAGMA data_version equals the value read inside our last write
 *   transaction: any commit by another connection (a second server, the CLI) changes it, and
 *   the next append starts the tail afresh, so foreign rows, updates or checkpoints that reset
 *   the WAL never hide behind it.
 * Each event is parsed from its stored JSON on first read (the same value the SQL read would
 * give: undefined fields dropped, dates as strings) and deep-frozen, because every subscriber
 * is handed the same object: a consumer that mutated one would otherwise change what the next
 * one sees.
 */
export class EventTail {
  private readonly ring: Array<Entry | undefined>;
  private start = 0;
  private size = 0;
  private after = 0;
  private dataVersion: number | null = null;

  /** `capacity` 0 turns the tail off (every read is SQL). */
  constructor(private readonly capacity = 4096) {
    this.ring = new Array<Entry | undefined>(capacity);
  }

  /** Rows of one committed transaction, in position order, with data_version as read inside it. */
  add(rows: readonly EventRow[], dataVersion: number): void {
    if (this.capacity === 0) return;
    if (dataVersion !== this.dataVersion) this.clear();
    this.dataVersion = dataVersion;
    for (const row of rows) {
      if (this.size > 0 && row.position !== this.after + this.size + 1) this.clear();
      if (this.size === 0) {
        this.start = 0;
        this.after = row.position - 1;
      }
      if (this.size === this.capacity) {
        this.ring[this.start] = undefined;
        this.start = (this.start + 1) % this.capacity;
        this.after += 1;
        this.size -= 1;
      }
      this.ring[(this.start + this.size) % this.capacity] = { row, event: null };
      this.size += 1;
    }
  }

  /**
   * The answer of `position > from [AND type IN types] ORDER BY position LIMIT limit`, or null
   * when the tail cannot prove it is the whole answer (the SQL must run).
   */
  read(from: number, limit: number, types: ReadonlySet<string> | null, currentDataVersion: () => number): StoredEvent[] | null {
    if (this.size === 0 || !Number.isInteger(from) || from < this.after || !Number.isInteger(limit) || limit <= 0) return null;
    if (currentDataVersion() !== this.dataVersion) return null;
    const out: StoredEvent[] = [];
    for (let i = from - this.after; i < this.size && out.length < limit; i++) {
      const entry = this.ring[(this.start + i) % this.capacity]!;
      const type = entry.event ? entry.event.type : entry.row!.type;
      if (types && !types.has(type)) continue;
      if (!entry.event) {
        entry.event = deepFreeze(toEvent(entry.row!));
        entry.row = null;
      }
      out.push(entry.event);
    }
    return out;
  }

  clear(): void {
    for (let i = 0; i < this.size; i++) this.ring[(this.start + i) % this.capacity] = undefined;
    this.start = 0;
    this.size = 0;
  }
}
