import type Database from 'better-sqlite3';
import { openSqlite } from '../shared/sqlite.js';
import { AsyncMutex } from '../shared/async-mutex.js';
import {
  checkPath,
  cursorValues,
  storageName,
  pageLimit,
  sortWithId,
  toPage,
  type Collection,
  type CollectionSpec,
  type Doc,
  type FieldOps,
  type FindQuery,
  type Page,
  type Patch,
  type ReadStore,
  type ReadStoreTx,
  type Where,
  indexDir,
  indexName,
} from './read-store.port.js';
import { applyPatch } from './patch.js';

const table = storageName;
function field(path: string): string {
  checkPath(path);
  return path === 'id' ? 'id' : `json_extract(doc, '$.${path}')`;
}
/** SQLite's json_extract yields 1/0 for JSON booleans. */
const bind = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

function whereSql(where: Where | undefined, params: unknown[]): string {
  if (!where) return '1';
  const parts: string[] = [];
  for (const [path, cond] of Object.entries(where)) {
    const f = field(path);
    if (cond === null || typeof cond !== 'object') {
      if (cond === null) parts.push(`${f} IS NULL`);
      else {
        parts.push(`${f} = ?`);
        params.push(bind(cond));
      }
      continue;
    }
    const ops = cond as FieldOps;
    if ('eq' in ops) {
      if (ops.eq === null) parts.push(`${f} IS NULL`);
      else {
        parts.push(`${f} = ?`);
        params.push(bind(ops.eq));
      }
    }
    if ('ne' in ops) {
      parts.push(`${f} IS NOT ?`);
      params.push(bind(ops.ne));
    }
    for (const [op, sql] of [
      ['gt', '>'],
      ['gte', '>='],
      ['lt', '<'],
      ['lte', '<='],
    ] as const) {
      if (ops[op] !== undefined) {
        parts.push(`${f} ${sql} ?`);
        params.push(ops[op]);
      }
    }
    if (ops.in) {
      // SQL's IN never matches NULL; a null in the list means "null or missing" as for eq.
      const values = ops.in.filter((v) => v !== null);
      const alts: string[] = [];
      if (values.length > 0) {
        alts.push(`${f} IN (${values.map(() => '?').join(',')})`);
        params.push(...values.map(bind));
      }
      if (values.length < ops.in.length) alts.push(`${f} IS NULL`);
      parts.push(alts.length ? `(${alts.join(' OR ')})` : '0');
    }
  }
  return parts.length ? parts.join(' AND ') : '1';
}

type Prepare = <P extends unknown[] = unknown[], R = unknown>(sql: string) => Database.Statement<P, R>;

/**
 * Write-back cache of one transaction: documents read or written in it, by table and id (null:
 * deleted). A rebuild patches the same few documents thousands of times per page; each patch then
 * costs a map lookup instead of a SELECT, a parse, a stringify and an INSERT, and every dirty
 * document is written once, at commit. Everything on this connection (the connection is shared,
 * so other callers always saw the open transaction's writes) reads through it, and any query
 * other than get by id first writes the collection's pending documents, so nothing sees less
 * than before.
 */
class TxCache {
  private readonly tables = new Map<string, { docs: Map<string, Doc | null>; dirty: Set<string> }>();
  table(t: string) {
    let e = this.tables.get(t);
    if (!e) this.tables.set(t, (e = { docs: new Map(), dirty: new Set() }));
    return e;
  }
  flush(t: string, prepare: Prepare): void {
    const e = this.tables.get(t);
    if (!e || e.dirty.size === 0) return;
    const put = prepare(`INSERT INTO ${t} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`);
    const del = prepare(`DELETE FROM ${t} WHERE id = ?`);
    for (const id of e.dirty) {
      const doc = e.docs.get(id);
      if (doc) put.run(id, JSON.stringify(doc));
      else del.run(id);
    }
    e.dirty.clear();
  }
  flushAll(prepare: Prepare): void {
    for (const t of this.tables.keys()) this.flush(t, prepare);
  }
  forget(t: string): void {
    this.tables.delete(t);
  }
}

class SqliteCollection<T extends Doc> implements Collection<T> {
  private readonly t: string;
  constructor(
    private readonly db: Database.Database,
    private readonly prepare: Prepare,
    readonly name: string,
    private readonly ensure: (name: string) => void,
    private readonly txCache: () => TxCache | null,
  ) {
    this.t = table(name);
    ensure(name);
  }

  async get(id: string): Promise<T | null> {
    const doc = this.read(id);
    // the caller may alter what it got: never hand out the cached object itself
    return doc && this.txCache() ? structuredClone(doc) : doc;
  }
  /** The current document (the transaction's cached one when a transaction is open). */
  private read(id: string): T | null {
    const cache = this.txCache()?.table(this.t);
    if (cache?.docs.has(id)) return cache.docs.get(id) as T | null;
    const row = this.prepare<[string], { doc: string }>(`SELECT doc FROM ${this.t} WHERE id = ?`).get(id);
    const doc = row ? (JSON.parse(row.doc) as T) : null;
    cache?.docs.set(id, doc);
    return doc;
  }
  private write(id: string, doc: Doc | null): boolean {
    const cache = this.txCache()?.table(this.t);
    if (cache) {
      cache.docs.set(id, doc);
      cache.dirty.add(id);
      return true;
    }
    if (doc)
      this.prepare(`INSERT INTO ${this.t} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`).run(
        id,
        JSON.stringify(doc),
      );
    else return this.prepare(`DELETE FROM ${this.t} WHERE id = ?`).run(id).changes > 0;
    return true;
  }
  /** Pending writes of this collection reach the table before any query that is not by id. */
  private flush(): void {
    this.txCache()?.flush(this.t, this.prepare);
  }
  async upsert(doc: T): Promise<void> {
    this.write(doc.id, this.txCache() ? structuredClone(doc) : doc);
  }
  async patch(id: string, patch: Patch, options: { upsert?: boolean } = {}): Promise<boolean> {
    // Read-modify-write with no await in between: atomic inside the caller's transaction, and
    // wrapped in one of its own otherwise (a savepoint per patch would cost a rebuild dearly).
    // values written later (at commit) must be the ones given now, whatever the caller does next
    const p =
      this.txCache() && Object.values(patch.set ?? {}).some((v) => v !== null && typeof v === 'object') ? structuredClone(patch) : patch;
    const run = () => {
      const current = this.read(id);
      if (!current && !options.upsert) return false;
      this.write(id, applyPatch((current ?? { id }) as Doc, p, { inPlace: current !== null }));
      return current !== null;
    };
    return this.db.inTransaction ? run() : this.db.transaction(run)();
  }
  async delete(id: string): Promise<boolean> {
    if (this.txCache()) {
      const existed = this.read(id) !== null;
      this.write(id, null);
      return existed;
    }
    return this.write(id, null);
  }
  async deleteWhere(where: Where): Promise<number> {
    this.flush();
    this.txCache()?.forget(this.t);
    const params: unknown[] = [];
    const sql = whereSql(where, params);
    return this.prepare(`DELETE FROM ${this.t} WHERE ${sql}`).run(...params).changes;
  }
  async count(where?: Where): Promise<number> {
    this.flush();
    const params: unknown[] = [];
    const sql = whereSql(where, params);
    return (this.prepare(`SELECT COUNT(*) AS n FROM ${this.t} WHERE ${sql}`).get(...params) as { n: number }).n;
  }
  async find(query: FindQuery = {}): Promise<Page<T>> {
    this.flush();
    const params: unknown[] = [];
    const conds = [whereSql(query.where, params)];
    const sort = sortWithId(query);
    if (query.cursor) {
      const values = cursorValues(query.cursor, sort);
      // Keyset: (a > x) OR (a = x AND b > y) OR ...
      const ors: string[] = [];
      for (let i = 0; i < sort.length; i++) {
        const ands: string[] = [];
        for (let j = 0; j < i; j++) {
          ands.push(`${field(sort[j]![0])} IS ?`);
          params.push(bind(values[j]));
        }
        // NULL (and missing) sorts first ascending / last descending, and `x > NULL` is never
        // true: "after" a NULL ascending is any non-NULL; "after" x descending includes NULLs.
        const f = field(sort[i]![0]);
        const v = values[i] ?? null;
        if (sort[i]![1] === 'asc') ands.push(v === null ? `${f} IS NOT NULL` : `${f} > ?`);
        else if (v === null) ands.push('0');
        else ands.push(`(${f} < ? OR ${f} IS NULL)`);
        if (v !== null) params.push(bind(v));
        ors.push(`(${ands.join(' AND ')})`);
      }
      conds.push(`(${ors.join(' OR ')})`);
    }
    const order = sort.map(([f, d]) => `${field(f)} ${d === 'asc' ? 'ASC' : 'DESC'}`).join(', ');
    const limit = pageLimit(query);
    // The row count is written into the SQL, not bound: SQLite's planner reads a bound LIMIT's
    // value, so every new binding of it expires the statement and the next step prepares it again
    // (sqlite3ExprIsInteger sets the parameter in the statement's varmask). That re-prepare was
    // most of a find's cost (~100 µs for the new-device lookup of a login, against the whole
    // read-store schema). A few distinct limits, a few cached statements.
    const top = Number.isSafeInteger(limit) ? String(limit + 1) : '?';
    if (top === '?') params.push(limit + 1);
    const rows = this.prepare<unknown[], { doc: string }>(
      `SELECT doc FROM ${this.t} WHERE ${conds.join(' AND ')} ORDER BY ${order} LIMIT ${top}`,
    ).all(...params);
    return toPage(
      rows.map((r) => JSON.parse(r.doc) as T),
      limit,
      sort,
    );
  }
}

/**
 * Embedded read store: each collection is a table of JSON documents with expression indexes
 * on the declared fields. Transactions serialize on an async mutex, because one SQLite
 * connection holds at most one transaction and projection handlers are async.
 */
export class SqliteReadStore implements ReadStore {
  readonly kind = 'sqlite';
  readonly db: Database.Database;
  private readonly known = new Set<string>();
  private readonly mutex = new AsyncMutex();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly collections = new Map<string, SqliteCollection<Doc>>();
  private txCache: TxCache | null = null;

  /** Prepared statements are reused: preparing one costs more than running it. */
  private readonly prepare: Prepare = <P extends unknown[] = unknown[], R = unknown>(sql: string) => {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size > 1000) this.statements.clear();
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st as unknown as Database.Statement<P, R>;
  };

  constructor(file: string) {
    this.db = openSqlite(file);
    // Up to 256 MiB of page cache (SQLite's default is 2 MiB; pages are allocated as used): a
    // projection's upserts touch the B-tree pages of the table and of every expression index, and
    // once a read model outgrows 2 MiB each write went to the OS cache for them. Measured with
    // `npm run bench -- passport` (leaderboard + history at 100,000 visits): 560 -> 1,845 visits/s.
    this.db.pragma('cache_size = -262144');
    this.db.exec('CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
  }

  private ensureTable = (name: string): void => {
    if (this.known.has(name)) return;
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table(name)} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
    this.known.add(name);
  };

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    let c = this.collections.get(name);
    if (!c) {
      c = new SqliteCollection<Doc>(this.db, this.prepare, name, this.ensureTable, () => this.txCache);
      this.collections.set(name, c);
    }
    return c as unknown as Collection<T>;
  }

  async listCollections(): Promise<string[]> {
    const rows = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm\\_%' ESCAPE '\\'").all() as Array<{
      name: string;
    }>;
    return rows.map((r) => r.name.slice(3));
  }

  async compact(): Promise<void> {
    await this.mutex.run(async () => {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.exec('VACUUM');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    });
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    this.ensureTable(spec.name);
    const t = table(spec.name);
    for (const idx of spec.indexes ?? []) {
      const idxName = indexName(t, idx);
      const cols = idx.fields.map((f, i) => `${field(f)}${indexDir(idx, i) === 'desc' ? ' DESC' : ''}`).join(', ');
      this.db.exec(`CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${idxName} ON ${t} (${cols})`);
    }
  }

  async dropCollection(name: string): Promise<void> {
    this.ensureTable(name);
    this.txCache?.forget(table(name));
    this.prepare(`DELETE FROM ${table(name)}`).run();
  }

  async getCheckpoint(name: string): Promise<number> {
    const row = this.prepare<[string], { position: number }>('SELECT position FROM checkpoints WHERE name = ?').get(name);
    return row?.position ?? 0;
  }

  async setCheckpoint(name: string, position: number): Promise<void> {
    this.prepare('INSERT INTO checkpoints (name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position').run(
      name,
      position,
    );
  }

  async listCheckpoints(): Promise<Record<string, number>> {
    const rows = this.prepare<[], { name: string; position: number }>('SELECT name, position FROM checkpoints').all();
    return Object.fromEntries(rows.map((r) => [r.name, r.position]));
  }

  async transaction<R>(fn: (tx: ReadStoreTx) => Promise<R>): Promise<R> {
    return this.mutex.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      this.txCache = new TxCache();
      try {
        const result = await fn(this);
        this.txCache.flushAll(this.prepare);
        this.txCache = null;
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        this.txCache = null;
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  async ping(): Promise<boolean> {
    return this.prepare('SELECT 1 AS ok').get() !== undefined;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
