import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ConcurrencyError,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type ReadAllOptions,
  type StoredEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from './event-store.port.js';
import { sealEvent } from './hash-chain.js';
import { openSqlite } from '../shared/sqlite.js';
import { subscribeOnEmitter } from './subscriber.js';
import { EventTail, toEvent, type EventRow } from './sqlite-event-tail.js';

export type { EventRow } from './sqlite-event-tail.js';

type Written = AppendResult & { rows: EventRow[] };
type Outcome = { ok: Written[] } | { err: unknown };

/** One caller's request: a single append is a set of one; a set is written all or nothing. */
interface QueuedAppend {
  appends: readonly StreamAppend[];
  resolve: (r: AppendResult[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Embedded event store: one SQLite file in WAL mode. Appends run in BEGIN IMMEDIATE
 * transactions, so two processes on the same file serialize; the (stream, version) unique
 * key is the last line of defence for optimistic concurrency. Other processes' appends are
 * noticed through PRAGMA data_version, polled cheaply.
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly emitter = new EventEmitter();
  private readonly stmts;
  private poll: NodeJS.Timeout | null = null;
  private dataVersion = 0;
  private closed = false;
  private readonly tail: EventTail;
  private readonly limitedStmts = new Map<string, Database.Statement<unknown[], EventRow>>();

  constructor(
    file: string,
    private readonly now: () => Date = () => new Date(),
    private readonly pollMs = 100,
    tailSize = 4096,
  ) {
    this.tail = new EventTail(tailSize);
    this.db = openSqlite(file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        stream TEXT NOT NULL,
        version INTEGER NOT NULL,
        type TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        schema_version INTEGER NOT NULL DEFAULT 1,
        UNIQUE (stream, version)
      );
      CREATE INDEX IF NOT EXISTS events_type ON events (type, position);
    `);
    this.emitter.setMaxListeners(0);
    this.stmts = {
      head: this.db.prepare<[], { p: number | null }>('SELECT MAX(position) AS p FROM events'),
      last: this.db.prepare<[string], { version: number; metadata: string }>(
        'SELECT version, metadata FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1',
      ),
      insert: this.db.prepare(
        `INSERT INTO events (id, stream, version, type, occurred_at, data, metadata, schema_version)
         VALUES (@id, @stream, @version, @type, @occurred_at, @data, @metadata, @schema_version)`,
      ),
      stream: this.db.prepare<[string, number], EventRow>('SELECT * FROM events WHERE stream = ? AND version >= ? ORDER BY version'),
      dataVersion: this.db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    const one = this.db.transaction((a: QueuedAppend) => a.appends.map((x) => this.appendInTx(x.stream, x.events, x.expected)));
    this.groupTx = this.db.transaction((batch: QueuedAppend[]) => {
      const outcomes = batch.map((a): Outcome => {
        try {
          // a nested transaction function runs in a savepoint: a throw undoes this request only
          // (a whole appendMany set, whichever of its entries failed)
          return { ok: one(a) };
        } catch (err) {
          return { err };
        }
      });
      // read under the write lock: no other connection can commit between this and our COMMIT
      return { outcomes, dataVersion: this.stmts.dataVersion.get()! };
    });
    this.dataVersion = this.readDataVersion();
  }

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  private appendInTx(stream: string, events: NewEvent[], expected: ExpectedVersion): AppendResult & { rows: EventRow[] } {
    const last = this.stmts.last.get(stream);
    const current = last ? last.version : -1;
    if (expected === 'no_stream' ? current !== -1 : expected !== 'any' && expected !== current) {
      throw new ConcurrencyError(stream, expected, current);
    }
    let prevHash: string | null = last ? ((JSON.parse(last.metadata).hash as string | undefined) ?? null) : null;
    let version = current;
    const stored: StoredEvent[] = [];
    const rows: EventRow[] = [];
    const at = this.now().toISOString();
    for (const e of events) {
      version += 1;
      const { id, occurred_at, metadata: fullMeta } = sealEvent(e, prevHash, at, randomUUID);
      const row = {
        id,
        stream,
        version,
        type: e.type,
        occurred_at,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(fullMeta),
        schema_version: e.schema_version ?? 1,
      };
      const info = this.stmts.insert.run(row);
      rows.push({ ...row, position: Number(info.lastInsertRowid) });
      stored.push({
        id,
        type: e.type,
        stream,
        version,
        position: Number(info.lastInsertRowid),
        occurred_at,
        data: e.data,
        metadata: fullMeta,
        schema_version: e.schema_version ?? 1,
      });
      prevHash = fullMeta.hash;
    }
    const lastStored = stored[stored.length - 1];
    return { version, position: lastStored ? lastStored.position : 0, events: stored, rows };
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) {
      const v = await this.streamVersion(stream);
      return { version: v, position: await this.headPosition(), events: [] };
    }
    return this.enqueue([{ stream, events, expected }]).then((r) => r[0]!);
  }

  /** All or nothing, in one savepoint of the group commit (see commitQueued). */
  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return appends.length === 0 ? [] : this.enqueue(appends);
  }

  private enqueue(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queued.push({ appends, resolve, reject });
      // a microtask, not the next turn of the loop: deferring to setImmediate made a refresh 3x
      // slower at one client (each append waited behind the projection pages of that turn)
      if (this.queued.length === 1) queueMicrotask(() => this.commitQueued());
    });
  }

  /**
   * Group commit: the appends requested in one synchronous run of code (e.g. a Promise.all of
   * appends) are written in one BEGIN IMMEDIATE … COMMIT, each in its own savepoint with its own
   * expected-version check, in the order they were asked for. Each append (or appendMany set)
   * still succeeds or fails alone (a conflict rolls back only its savepoint, and a later
   * append of the same group sees the earlier ones), and no caller hears of its append before
   * the commit that holds it.
   */
  private commitQueued(): void {
    const batch = this.queued;
    this.queued = [];
    let committed: { outcomes: Outcome[]; dataVersion: number };
    try {
      committed = this.groupTx.immediate(batch);
    } catch (err) {
      for (const a of batch) a.reject(err);
      return;
    }
    // committed appends only, in the order written (= position order)
    this.tail.add(
      committed.outcomes.flatMap((o) => ('ok' in o ? o.ok.flatMap((w) => w.rows) : [])),
      committed.dataVersion,
    );
    let head = 0;
    batch.forEach((a, i) => {
      const o = committed.outcomes[i]!;
      if ('ok' in o) {
        a.resolve(
          o.ok.map(({ rows: _rows, ...result }) => {
            head = Math.max(head, result.position);
            return result;
          }),
        );
      } else a.reject(this.conflictOf(o.err, a.appends));
    });
    if (head) this.emitter.emit('appended', head);
  }

  private queued: QueuedAppend[] = [];
  private readonly groupTx: Database.Transaction<(batch: QueuedAppend[]) => { outcomes: Outcome[]; dataVersion: number }>;

  /**
   * Another process won the race between our read and insert on the same version: the unique
   * key answers. Matched by code, not instanceof: the native addon may hand out its SqliteError
   * class from another realm (Jest loads it once per test file in one worker).
   */
  private conflictOf(err: unknown, appends: readonly StreamAppend[]): unknown {
    const e = err as { code?: unknown; message?: unknown };
    if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /stream/.test(String(e.message))) {
      // the entry whose stream moved (the first one of a set, if several did)
      const versions = appends.map((a) => this.stmts.last.get(a.stream)?.version ?? -1);
      const lost = appends.findIndex((a, i) => a.expected !== 'any' && a.expected !== (versions[i] === -1 ? 'no_stream' : versions[i]));
      const at = Math.max(0, lost);
      return new ConcurrencyError(appends[at]!.stream, appends[at]!.expected, versions[at]!);
    }
    return err;
  }

  async readStream(stream: string, fromVersion = 0, limit?: number): Promise<StoredEvent[]> {
    if (limit === undefined) return this.stmts.stream.all(stream, fromVersion).map(toEvent);
    return this.limited('SELECT * FROM events WHERE stream = ? AND version >= ? ORDER BY version', limit)
      .all(stream, fromVersion)
      .map(toEvent);
  }

  /**
   * A statement ending in `LIMIT <n>` with the row count written into the SQL, cached per text.
   * Bound (`LIMIT ?`), SQLite's planner reads the parameter's value, so every new binding expires
   * the statement and the next step prepares it again (~6 µs per read here, more with a bigger
   * schema; the read store's find() had the same cost). A handful of distinct limits are in use
   * (page sizes); a limit that is not a whole number stays bound, as before.
   */
  private limited(sql: string, limit: number): { all: (...params: unknown[]) => EventRow[] } {
    if (!Number.isSafeInteger(limit)) {
      const bound = this.db.prepare<unknown[], EventRow>(`${sql} LIMIT ?`);
      return { all: (...params) => bound.all(...params, limit) };
    }
    const text = `${sql} LIMIT ${limit}`;
    let st = this.limitedStmts.get(text);
    if (!st) {
      if (this.limitedStmts.size >= 64) this.limitedStmts.clear();
      st = this.db.prepare<unknown[], EventRow>(text);
      this.limitedStmts.set(text, st);
    }
    return st;
  }

  async streamVersion(stream: string): Promise<number> {
    const last = this.stmts.last.get(stream);
    return last ? last.version : -1;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.readAllSync(options);
  }

  readAllSync({ from = 0, limit = 1000, types }: ReadAllOptions = {}): StoredEvent[] {
    const filter = types && types.length > 0 ? new Set(types) : null;
    const recent = this.tail.read(from, limit, filter, () => this.stmts.dataVersion.get()!);
    if (recent) return recent;
    if (types && types.length > 0) {
      const placeholders = types.map(() => '?').join(',');
      const rows = this.limited(`SELECT * FROM events WHERE position > ? AND type IN (${placeholders}) ORDER BY position`, limit).all(
        from,
        ...types,
      );
      return rows.map(toEvent);
    }
    return this.rawRows(from, limit).map(toEvent);
  }

  /** Raw rows for tools that must not parse (benchmarks, audit). */
  rawRows(from: number, limit: number): EventRow[] {
    return this.limited('SELECT * FROM events WHERE position > ? ORDER BY position', limit).all(from);
  }

  /** Every stream name in order of first appearance (audit:verify). */
  async listStreams(): Promise<string[]> {
    return this.db
      .prepare<[], { stream: string }>('SELECT stream FROM events GROUP BY stream ORDER BY MIN(position)')
      .all()
      .map((r) => r.stream);
  }

  /** One stream's rows with data and metadata unparsed, so an audit can report a damaged row. */
  async rawStream(stream: string): Promise<EventRow[]> {
    return this.stmts.stream.all(stream, 0);
  }

  async headPosition(): Promise<number> {
    return this.stmts.head.get()?.p ?? 0;
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.ensurePolling();
    return subscribeOnEmitter(this.emitter, options, (from, limit) => this.readAll({ from, limit, types: options.types }));
  }

  /** Notices commits by other connections (CLI, a second server) without reading the table. */
  private ensurePolling(): void {
    if (this.poll || this.closed) return;
    this.poll = setInterval(() => {
      if (this.closed) return;
      const v = this.readDataVersion();
      if (v !== this.dataVersion) {
        this.dataVersion = v;
        this.emitter.emit('appended', -1);
      }
    }, this.pollMs);
    this.poll.unref();
  }

  /** The underlying handle, for the read store to share the file. */
  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.emitter.removeAllListeners();
    this.tail.clear();
    if (this.db.open) this.db.close();
  }
}
