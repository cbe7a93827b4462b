import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
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
import { subscribeOnEmitter } from './subscriber.js';
import type { EventRow } from './sqlite-event-store.js';
import { inTransaction, lockKey, openPgPool } from '../shared/postgres.js';

/** One row of the `events` table: the SQLite row's columns, with the bigint position as the driver returns it (a string). */
type PgEventRow = Omit<EventRow, 'position'> & { position: string };

const toEvent = (r: PgEventRow): StoredEvent => ({
  id: r.id,
  type: r.type,
  stream: r.stream,
  version: r.version,
  position: Number(r.position),
  occurred_at: r.occurred_at,
  data: JSON.parse(r.data),
  metadata: JSON.parse(r.metadata),
  schema_version: r.schema_version,
});

// data and metadata are stored as the exact JSON text that was hashed (TEXT, not JSONB, which
// would reorder keys and normalise numbers), so audit:verify checks the bytes at rest.
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  position BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  schema_version INTEGER NOT NULL DEFAULT 1,
  CONSTRAINT events_stream_version UNIQUE (stream, version)
);
CREATE INDEX IF NOT EXISTS events_type ON events (type, position);`;

const COLUMNS = 'position, id, stream, version, type, occurred_at, data, metadata, schema_version';

/**
 * PostgreSQL event store. The known trap of a SQL event log is a sequence: two transactions
 * take positions 7 and 8, 8 commits first, a reader sees 8, moves its checkpoint past 7 and
 * never sees it. Here every append holds one transaction-level advisory lock of the schema from
 * before it reads the head until after its commit is visible (PostgreSQL releases the lock after
 * the commit record and the visibility update), and takes position = head + 1 under it. So
 * positions commit in order, without holes: a reader that sees position p sees every position
 * below p. The price is that appends to the whole store serialize (one commit at a time), which
 * is what SQLite's BEGIN IMMEDIATE does as well. The (stream, version) unique key stays the last
 * line of defence.
 *
 * Subscribers are woken by LISTEN/NOTIFY (sent inside the append transaction, so delivered only
 * on commit) and, should a notification be lost to a dropped connection, by a slow poll.
 */
export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  private readonly emitter = new EventEmitter();
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private poll: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly channel: string;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    readonly schema: string,
    private readonly now: () => Date,
    private readonly pollMs: number,
  ) {
    this.emitter.setMaxListeners(0);
    this.channel = `es_appended_${schema}`;
  }

  static async connect(url: string, options: { schema?: string; now?: () => Date; pollMs?: number } = {}): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'public';
    const pool = await openPgPool(url, schema, DDL);
    return new PostgresEventStore(pool, url, schema, options.now ?? (() => new Date()), options.pollMs ?? 1000);
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) {
      return { version: await this.streamVersion(stream), position: await this.headPosition(), events: [] };
    }
    let result: AppendResult;
    try {
      result = await inTransaction(this.pool, (c) => this.appendInTx(c, stream, events, expected));
    } catch (err) {
      if ((err as { code?: string; constraint?: string }).constraint === 'events_stream_version') {
        throw new ConcurrencyError(stream, expected, await this.streamVersion(stream));
      }
      throw err;
    }
    this.emitter.emit('appended');
    return result;
  }

  /**
   * All or nothing in one transaction under the same append lock, so the set's positions are
   * contiguous and commit together; a version mismatch of any entry rolls the whole set back.
   */
  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    let results: AppendResult[];
    try {
      results = await inTransaction(this.pool, async (c) => {
        const out: AppendResult[] = [];
        for (const a of appends) out.push(await this.appendInTx(c, a.stream, a.events, a.expected));
        return out;
      });
    } catch (err) {
      if ((err as { constraint?: string }).constraint === 'events_stream_version') {
        // a writer that bypassed the lock: name the first entry whose stream is not where it was expected
        for (const a of appends) {
          const v = await this.streamVersion(a.stream);
          if (a.expected !== 'any' && a.expected !== (v === -1 ? 'no_stream' : v)) throw new ConcurrencyError(a.stream, a.expected, v);
        }
      }
      throw err;
    }
    if (results.some((r) => r.events.length > 0)) this.emitter.emit('appended');
    return results;
  }

  private async appendInTx(c: pg.PoolClient, stream: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    // transaction-level and re-entrant: the entries of one appendMany take it once in effect
    await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(this.schema, 'append')]);
    const last = (
      await c.query<{ version: number; metadata: string }>(
        'SELECT version, metadata FROM events WHERE stream = $1 ORDER BY version DESC LIMIT 1',
        [stream],
      )
    ).rows[0];
    const current = last ? last.version : -1;
    if (expected === 'no_stream' ? current !== -1 : expected !== 'any' && expected !== current) {
      throw new ConcurrencyError(stream, expected, current);
    }
    if (events.length === 0) return { version: current, position: 0, events: [] };
    const head = Number((await c.query<{ p: string }>('SELECT COALESCE(MAX(position), 0) AS p FROM events')).rows[0]!.p);
    let prevHash: string | null = last ? ((JSON.parse(last.metadata).hash as string | undefined) ?? null) : null;
    const at = this.now().toISOString();
    const stored: StoredEvent[] = events.map((e, i) => {
      const { id, occurred_at, metadata } = sealEvent(e, prevHash, at, randomUUID);
      prevHash = metadata.hash;
      return {
        id,
        type: e.type,
        stream,
        version: current + 1 + i,
        position: head + 1 + i,
        occurred_at,
        data: e.data,
        metadata,
        schema_version: e.schema_version ?? 1,
      };
    });
    await c.query(
      `INSERT INTO events (${COLUMNS})
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[])`,
      [
        stored.map((e) => e.position),
        stored.map((e) => e.id),
        stored.map((e) => e.stream),
        stored.map((e) => e.version),
        stored.map((e) => e.type),
        stored.map((e) => e.occurred_at),
        stored.map((e) => JSON.stringify(e.data)),
        stored.map((e) => JSON.stringify(e.metadata)),
        stored.map((e) => e.schema_version),
      ],
    );
    const lastStored = stored[stored.length - 1]!;
    await c.query('SELECT pg_notify($1, $2)', [this.channel, String(lastStored.position)]);
    return { version: lastStored.version, position: lastStored.position, events: stored };
  }

  async readStream(stream: string, fromVersion = 0, limit?: number): Promise<StoredEvent[]> {
    // LIMIT NULL is no limit
    const res = await this.pool.query<PgEventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version LIMIT $3`,
      [stream, fromVersion, limit ?? null],
    );
    return res.rows.map(toEvent);
  }

  async streamVersion(stream: string): Promise<number> {
    const res = await this.pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM events WHERE stream = $1', [stream]);
    return res.rows[0]?.v ?? -1;
  }

  async readAll({ from = 0, limit = 1000, types }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const res =
      types && types.length > 0
        ? await this.pool.query<PgEventRow>(
            `SELECT ${COLUMNS} FROM events WHERE position > $1 AND type = ANY($2::text[]) ORDER BY position LIMIT $3`,
            [from, [...types], limit],
          )
        : await this.pool.query<PgEventRow>(`SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`, [from, limit]);
    return res.rows.map(toEvent);
  }

  /** Every stream name in order of first appearance (audit:verify). */
  async listStreams(): Promise<string[]> {
    const res = await this.pool.query<{ stream: string }>('SELECT stream FROM events GROUP BY stream ORDER BY MIN(position)');
    return res.rows.map((r) => r.stream);
  }

  /** One stream's rows with data and metadata unparsed, so an audit can report a damaged row. */
  async rawStream(stream: string): Promise<EventRow[]> {
    const res = await this.pool.query<PgEventRow>(`SELECT ${COLUMNS} FROM events WHERE stream = $1 ORDER BY version`, [stream]);
    return res.rows.map((r) => ({ ...r, position: Number(r.position) }));
  }

  async headPosition(): Promise<number> {
    const res = await this.pool.query<{ p: string | null }>('SELECT MAX(position) AS p FROM events');
    return Number(res.rows[0]?.p ?? 0);
  }

  subscribe(options: SubscribeOptions): Subscription {
    this.ensureListening();
    return subscribeOnEmitter(this.emitter, options, (from, limit) => this.readAll({ from, limit, types: options.types }));
  }

  /** One LISTEN connection per store, reopened when it drops; a slow poll covers the gap. */
  private ensureListening(): void {
    if (this.closed) return;
    if (!this.poll) {
      this.poll = setInterval(() => this.emitter.emit('appended'), this.pollMs);
      this.poll.unref();
    }
    if (this.listener || this.listening) return;
    const client = new pg.Client({ connectionString: this.url });
    const reopen = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => this.ensureListening(), 500).unref();
    };
    client.on('notification', () => this.emitter.emit('appended'));
    client.on('error', reopen);
    client.on('end', reopen);
    this.listener = client;
    this.listening = client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel}"`))
      .then(() => {
        if (this.closed) void client.end();
        // appends committed while we were connecting
        else this.emitter.emit('appended');
      })
      .catch(reopen)
      .finally(() => (this.listening = null));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.emitter.removeAllListeners();
    await this.listening;
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => undefined);
    await this.pool.end();
  }
}
