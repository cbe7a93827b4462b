import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { AppConfig } from '../config/config.js';
import { openSqlite } from '../shared/sqlite.js';

/**
 * Per-person data keys, each wrapped (AES-256-GCM) by the server key. Deliberately NOT the
 * append-only event log: erasure deletes the wrapped key, and a person whose key is gone can
 * never be read again from any event that was sealed for them. A destroyed key leaves a
 * tombstone (`wrapped` null), so a later event about that person is never sealed under a new
 * key that would make new data readable again; it is written as "[erased]" instead.
 */
export interface KeyRecord {
  subject: string;
  /** The wrapped key (JSON of a Sealed), or null once destroyed. */
  wrapped: string | null;
}

export interface PersonalKeyStore {
  readonly kind: string;
  /** The records of the given subjects that exist (missing subjects are absent from the map). */
  get(subjects: readonly string[]): Promise<Map<string, KeyRecord>>;
  /** Inserts the record unless one exists; answers the record that won (two processes may race). */
  create(subject: string, wrapped: string, at: string): Promise<KeyRecord>;
  /** Replaces the key by a tombstone and makes the old bytes unrecoverable from the store's files as far as the engine allows. */
  destroy(subject: string, at: string): Promise<void>;
  close(): Promise<void>;
}

/** SQLite (embedded): its own file, secure_delete on, WAL truncated after a destroy. */
export class SqliteKeyStore implements PersonalKeyStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    // a deleted key's bytes are overwritten with zeros in the page, not left in a free block
    this.db.pragma('secure_delete = ON');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS personal_keys (subject TEXT PRIMARY KEY, wrapped TEXT, created_at TEXT NOT NULL, erased_at TEXT)',
    );
  }

  async get(subjects: readonly string[]): Promise<Map<string, KeyRecord>> {
    const out = new Map<string, KeyRecord>();
    for (let i = 0; i < subjects.length; i += 500) {
      const part = subjects.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT subject, wrapped FROM personal_keys WHERE subject IN (${part.map(() => '?').join(',')})`)
        .all(...part) as KeyRecord[];
      for (const r of rows) out.set(r.subject, r);
    }
    return out;
  }

  async create(subject: string, wrapped: string, at: string): Promise<KeyRecord> {
    this.db.prepare('INSERT OR IGNORE INTO personal_keys (subject, wrapped, created_at) VALUES (?, ?, ?)').run(subject, wrapped, at);
    return this.db.prepare('SELECT subject, wrapped FROM personal_keys WHERE subject = ?').get(subject) as KeyRecord;
  }

  async destroy(subject: string, at: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM personal_keys WHERE subject = ?').run(subject);
      this.db.prepare('INSERT INTO personal_keys (subject, wrapped, created_at, erased_at) VALUES (?, NULL, ?, ?)').run(subject, at, at);
    })();
    // the WAL still holds the page with the key until it is checkpointed and truncated
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** PostgreSQL: a table beside the event store's (same schema); VACUUM after a destroy removes the dead row version. */
export class PostgresKeyStore implements PersonalKeyStore {
  readonly kind = 'postgres';
  private constructor(private readonly pool: import('pg').Pool) {}

  static async connect(url: string, schema: string): Promise<PostgresKeyStore> {
    const { openPgPool } = await import('../shared/postgres.js');
    const pool = await openPgPool(
      url,
      schema,
      'CREATE TABLE IF NOT EXISTS personal_keys (subject TEXT PRIMARY KEY, wrapped TEXT, created_at TEXT NOT NULL, erased_at TEXT)',
      4,
    );
    return new PostgresKeyStore(pool);
  }

  async get(subjects: readonly string[]): Promise<Map<string, KeyRecord>> {
    const rows = (await this.pool.query<KeyRecord>('SELECT subject, wrapped FROM personal_keys WHERE subject = ANY($1)', [subjects])).rows;
    return new Map(rows.map((r) => [r.subject, r]));
  }

  async create(subject: string, wrapped: string, at: string): Promise<KeyRecord> {
    await this.pool.query('INSERT INTO personal_keys (subject, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT (subject) DO NOTHING', [
      subject,
      wrapped,
      at,
    ]);
    return (await this.pool.query<KeyRecord>('SELECT subject, wrapped FROM personal_keys WHERE subject = $1', [subject])).rows[0]!;
  }

  async destroy(subject: string, at: string): Promise<void> {
    await this.pool.query('UPDATE personal_keys SET wrapped = NULL, erased_at = $2 WHERE subject = $1', [subject, at]);
    await this.pool.query(
      'INSERT INTO personal_keys (subject, wrapped, created_at, erased_at) VALUES ($1, NULL, $2, $2) ON CONFLICT (subject) DO NOTHING',
      [subject, at],
    );
    // the old row version stays in the heap until vacuumed (PostgreSQL's WAL archive is the operator's, see README)
    await this.pool.query('VACUUM personal_keys');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** MongoDB (the design card's production pair): one document per subject in `personal_keys`. */
export class MongoKeyStore implements PersonalKeyStore {
  readonly kind = 'mongodb';
  private constructor(
    private readonly client: import('mongodb').MongoClient,
    private readonly keys: import('mongodb').Collection<{ _id: string; wrapped: string | null; created_at: string; erased_at?: string }>,
  ) {}

  static async connect(url: string, dbName: string): Promise<MongoKeyStore> {
    const { MongoClient } = await import('mongodb');
    const client = await MongoClient.connect(url);
    return new MongoKeyStore(client, client.db(dbName).collection('personal_keys'));
  }

  async get(subjects: readonly string[]): Promise<Map<string, KeyRecord>> {
    const docs = await this.keys.find({ _id: { $in: [...subjects] } }).toArray();
    return new Map(docs.map((d) => [d._id, { subject: d._id, wrapped: d.wrapped }]));
  }

  async create(subject: string, wrapped: string, at: string): Promise<KeyRecord> {
    await this.keys.updateOne({ _id: subject }, { $setOnInsert: { wrapped, created_at: at } }, { upsert: true });
    const d = await this.keys.findOne({ _id: subject });
    return { subject, wrapped: d?.wrapped ?? null };
  }

  async destroy(subject: string, at: string): Promise<void> {
    await this.keys.updateOne(
      { _id: subject },
      { $set: { wrapped: null, erased_at: at }, $setOnInsert: { created_at: at } },
      { upsert: true },
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Same choice as the read store: MongoDB when MONGO_URL is set, else PostgreSQL when DATABASE_URL is, else a SQLite file in DATA_DIR. */
export async function createKeyStore(
  config: Pick<AppConfig, 'mongoUrl' | 'mongoDb' | 'dataDir' | 'databaseUrl' | 'databaseSchema'>,
): Promise<PersonalKeyStore> {
  if (config.mongoUrl) return MongoKeyStore.connect(config.mongoUrl, config.mongoDb);
  if (config.databaseUrl) return PostgresKeyStore.connect(config.databaseUrl, config.databaseSchema);
  return new SqliteKeyStore(join(config.dataDir, 'personal-keys.sqlite'));
}
