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

class SqliteCollection<T extends Doc> implements Collection<T> {
  private readonly t: string;
  constructor(
    private readonly db: Database.Database,
    private readonly prepare: Prepare,
    readonly name: string,
    private readonly ensure: (name: string) => void,
  ) {
    this.t = table(name);
    ensure(name);
  }

  async get(id: string): Promise<T | null> {
    return this.getSync(id);
  }
  private getSync(id: string): T | null {
    const row = this.prepare<[string], { doc: string }>(`SELECT doc FROM ${this.t} WHERE id = ?`).get(id);
    return row ? (JSON.parse(row.doc) as T) : null;
  }
  async upsert(doc: T): Promise<void> {
    this.prepare(`INSERT INTO ${this.t} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`).run(
      doc.id,
      JSON.stringify(doc),
    );
  }
  async patch(id: string, patch: Patch, options: { upsert?: boolean } = {}): Promise<boolean> {
    // Read-modify-write with no await in between: atomic inside the caller's transaction, and
    // wrapped in one of its own otherwise (a savepoint per patch would cost a rebuild dearly).
    const run = () => {
      const current = this.getSync(id);
      if (!current && !options.upsert) return false;
      const next = applyPatch((current ?? { id }) as Doc, patch);
      this.prepare(`INSERT INTO ${this.t} (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc`).run(
        id,
        JSON.stringify(next),
      );
      return current !== null;
    };
    return this.db.inTransaction ? run() : this.db.transaction(run)();
  }
  async delete(id: string): Promise<boolean> {
    return this.prepare(`DELETE FROM ${this.t} WHERE id = ?`).run(id).changes > 0;
  }
  async deleteWhere(where: Where): Promise<number> {
    const params: unknown[] = [];
    const sql = whereSql(where, params);
    return this.prepare(`DELETE FROM ${this.t} WHERE ${sql}`).run(...params).changes;
  }
  async count(where?: Where): Promise<number> {
    const params: unknown[] = [];
    const sql = whereSql(where, params);
    return (this.prepare(`SELECT COUNT(*) AS n FROM ${this.t} WHERE ${sql}`).get(...params) as { n: number }).n;
  }
  async find(query: FindQuery = {}): Promise<Page<T>> {
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
    const rows = this.prepare<unknown[], { doc: string }>(
      `SELECT doc FROM ${this.t} WHERE ${conds.join(' AND ')} ORDER BY ${order} LIMIT ?`,
    ).all(...params, limit + 1);
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
      c = new SqliteCollection<Doc>(this.db, this.prepare, name, this.ensureTable);
      this.collections.set(name, c);
    }
    return c as unknown as Collection<T>;
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    this.ensureTable(spec.name);
    const t = table(spec.name);
    for (const idx of spec.indexes ?? []) {
      const idxName = `${t}__${idx.fields.join('_').replace(/\./g, '_')}${idx.unique ? '_u' : ''}`;
      const cols = idx.fields.map(field).join(', ');
      this.db.exec(`CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${idxName} ON ${t} (${cols})`);
    }
  }

  async dropCollection(name: string): Promise<void> {
    this.ensureTable(name);
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
      try {
        const result = await fn(this);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
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
