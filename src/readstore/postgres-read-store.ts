import pg from 'pg';
import { inTransaction, lockKey, openPgPool } from '../shared/postgres.js';
import { applyPatch } from './patch.js';
import { storable, UnitOfWork } from './postgres-unit-of-work.js';
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

const table = storageName;

/**
 * A field as JSONB with JSON null folded into SQL NULL, as SQLite's json_extract does: "null or
 * missing" is one case for eq/in, and explicit nulls never collide in a unique index. The same
 * text is used in indexes and queries so the planner matches them.
 */
function json(path: string): string {
  checkPath(path);
  return `NULLIF(doc #> '{${path.split('.').join(',')}}', 'null'::jsonb)`;
}

/**
 * The sort key of a field: (rank, number, text) reproduces SQLite's order of json_extract values
 * (NULL < numbers and booleans as 0/1 < text by bytes), so both engines sort, page and compare
 * ranges alike. Text compares in the "C" collation (bytewise UTF-8, like SQLite's BINARY), never
 * the database's locale. `id` is the primary key column itself.
 */
function sortKey(path: string): string[] {
  if (path === 'id') return ['id COLLATE "C"'];
  const j = json(path);
  return [
    `(CASE WHEN ${j} IS NULL THEN 0 WHEN jsonb_typeof(${j}) IN ('number', 'boolean') THEN 1 ELSE 2 END)`,
    `(CASE jsonb_typeof(${j}) WHEN 'number' THEN (${j})::numeric WHEN 'boolean' THEN (CASE WHEN ${j} = 'true'::jsonb THEN 1 ELSE 0 END) ELSE 0 END)`,
    `(CASE jsonb_typeof(${j}) WHEN 'string' THEN ${j} #>> '{}' WHEN 'object' THEN ${j}::text WHEN 'array' THEN ${j}::text ELSE '' END) COLLATE "C"`,
  ];
}
function sortValues(path: string, v: unknown): unknown[] {
  if (path === 'id') return [String(v)];
  if (v === null || v === undefined) return [0, 0, ''];
  if (typeof v === 'number') return [1, v, ''];
  if (typeof v === 'boolean') return [1, v ? 1 : 0, ''];
  return [2, 0, typeof v === 'string' ? v : JSON.stringify(v)];
}
const CASTS = ['::int', '::numeric', '::text'];

class Params {
  readonly list: unknown[] = [];
  add(v: unknown, cast = ''): string {
    this.list.push(v);
    return `$${this.list.length}${cast}`;
  }
  row(path: string, v: unknown): string {
    const values = sortValues(path, v);
    const casts = path === 'id' ? ['::text'] : CASTS;
    return `(${values.map((x, i) => this.add(x, casts[i])).join(', ')})`;
  }
}
const keyRow = (path: string) => `(${sortKey(path).join(', ')})`;

function whereSql(where: Where | undefined, p: Params): string {
  if (!where) return 'TRUE';
  const parts: string[] = [];
  for (const [path, cond] of Object.entries(where)) {
    const isId = path === 'id';
    const f = isId ? 'id' : json(path);
    const lit = (v: unknown) => (isId ? p.add(String(v), '::text') : p.add(JSON.stringify(v), '::jsonb'));
    const ops: FieldOps = cond === null || typeof cond !== 'object' ? { eq: cond } : (cond as FieldOps);
    if ('eq' in ops) parts.push(ops.eq === null || ops.eq === undefined ? `${f} IS NULL` : `${f} = ${lit(ops.eq)}`);
    if ('ne' in ops) parts.push(ops.ne === null || ops.ne === undefined ? `${f} IS NOT NULL` : `${f} IS DISTINCT FROM ${lit(ops.ne)}`);
    for (const [op, sql] of [
      ['gt', '>'],
      ['gte', '>='],
      ['lt', '<'],
      ['lte', '<='],
    ] as const) {
      const v = ops[op];
      if (v === undefined) continue;
      // As in SQL, a comparison with NULL (or a missing field) is never true.
      parts.push(`(${f} IS NOT NULL AND ${keyRow(path)} ${sql} ${p.row(path, v)})`);
    }
    if (ops.in) {
      const values = ops.in.filter((v) => v !== null);
      const alts: string[] = [];
      if (values.length > 0) {
        alts.push(
          isId
            ? `id = ANY(${p.add(values.map(String), '::text[]')})`
            : `${f} = ANY(${p.add(
                values.map((v) => JSON.stringify(v)),
                '::jsonb[]',
              )})`,
        );
      }
      if (values.length < ops.in.length) alts.push(`${f} IS NULL`);
      parts.push(alts.length ? `(${alts.join(' OR ')})` : 'FALSE');
    }
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

type Runner = pg.Pool | pg.PoolClient;

/**
 * One collection on the pool (each call its own statement) or inside a transaction, where reads
 * and writes of single documents go through the transaction's UnitOfWork.
 */
class PgCollection<T extends Doc> implements Collection<T> {
  private readonly t: string;
  constructor(
    private readonly db: Runner,
    readonly name: string,
    private readonly ensure: (name: string) => Promise<void>,
    private readonly uow: UnitOfWork | null,
  ) {
    this.t = table(name);
  }

  /** A statement by filter: inside a transaction the pending writes of this table go first. */
  private async q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], changes = false): Promise<pg.QueryResult<R>> {
    await this.ensure(this.name);
    await this.uow?.beforeQuery(this.t, changes);
    return this.db.query<R>(sql, params);
  }

  async get(id: string): Promise<T | null> {
    if (this.uow) {
      await this.ensure(this.name);
      return (await this.uow.read(this.t, id)) as T | null;
    }
    const row = (await this.q<{ doc: T }>(`SELECT doc FROM ${this.t} WHERE id = $1`, [id])).rows[0];
    return row ? row.doc : null;
  }

  async upsert(doc: T): Promise<void> {
    if (this.uow) {
      await this.ensure(this.name);
      return this.uow.write(this.t, doc.id, doc);
    }
    await this.q(`INSERT INTO ${this.t} (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`, [
      doc.id,
      storable(doc),
    ]);
  }

  async patch(id: string, patch: Patch, options: { upsert?: boolean } = {}): Promise<boolean> {
    if (this.uow) {
      const current = await this.get(id);
      if (!current && !options.upsert) return false;
      await this.uow.write(this.t, id, applyPatch((current ?? { id }) as Doc, patch));
      return current !== null;
    }
    await this.ensure(this.name);
    // Outside a transaction: read-modify-write under the row lock in one of its own; a missing
    // row is inserted with ON CONFLICT DO NOTHING and, when another writer created it first,
    // read again under the lock.
    return inTransaction(this.db as pg.Pool, async (c) => {
      for (;;) {
        const current = (await c.query<{ doc: Doc }>(`SELECT doc FROM ${this.t} WHERE id = $1 FOR UPDATE`, [id])).rows[0]?.doc;
        if (current) {
          await c.query(`UPDATE ${this.t} SET doc = $2::jsonb WHERE id = $1`, [id, storable(applyPatch(current, patch))]);
          return true;
        }
        if (!options.upsert) return false;
        const inserted = await c.query(`INSERT INTO ${this.t} (id, doc) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO NOTHING`, [
          id,
          storable(applyPatch({ id } as Doc, patch)),
        ]);
        if (inserted.rowCount === 1) return false;
      }
    });
  }

  async delete(id: string): Promise<boolean> {
    if (this.uow) {
      const existed = (await this.get(id)) !== null;
      if (existed) await this.uow.write(this.t, id, null);
      return existed;
    }
    return ((await this.q(`DELETE FROM ${this.t} WHERE id = $1`, [id])).rowCount ?? 0) > 0;
  }

  async deleteWhere(where: Where): Promise<number> {
    const p = new Params();
    const sql = whereSql(where, p);
    return (await this.q(`DELETE FROM ${this.t} WHERE ${sql}`, p.list, true)).rowCount ?? 0;
  }

  async count(where?: Where): Promise<number> {
    const p = new Params();
    const sql = whereSql(where, p);
    return Number((await this.q<{ n: string }>(`SELECT COUNT(*) AS n FROM ${this.t} WHERE ${sql}`, p.list)).rows[0]!.n);
  }

  async find(query: FindQuery = {}): Promise<Page<T>> {
    const p = new Params();
    const conds = [whereSql(query.where, p)];
    const sort = sortWithId(query);
    for (const [f] of sort) sortKey(f); // validates every path before a cursor is decoded
    if (query.cursor) {
      const values = cursorValues(query.cursor, sort);
      // Keyset over the sort keys: (a > x) OR (a = x AND b > y) OR ...; nulls are part of the key.
      const ors: string[] = [];
      for (let i = 0; i < sort.length; i++) {
        const ands: string[] = [];
        for (let j = 0; j < i; j++) ands.push(`${keyRow(sort[j]![0])} = ${p.row(sort[j]![0], values[j] ?? null)}`);
        ands.push(`${keyRow(sort[i]![0])} ${sort[i]![1] === 'asc' ? '>' : '<'} ${p.row(sort[i]![0], values[i] ?? null)}`);
        ors.push(`(${ands.join(' AND ')})`);
      }
      conds.push(`(${ors.join(' OR ')})`);
    }
    const order = sort.flatMap(([f, d]) => sortKey(f).map((k) => `${k} ${d === 'asc' ? 'ASC' : 'DESC'}`)).join(', ');
    const limit = pageLimit(query);
    const rows = (
      await this.q<{ doc: T }>(`SELECT doc FROM ${this.t} WHERE ${conds.join(' AND ')} ORDER BY ${order} LIMIT ${p.add(limit + 1)}`, p.list)
    ).rows;
    return toPage(
      rows.map((r) => r.doc),
      limit,
      sort,
    );
  }
}

/** Checkpoints and collections bound to one connection (the pool, or a transaction's client). */
class PgTx implements ReadStoreTx {
  constructor(
    protected readonly db: Runner,
    protected readonly schema: string,
    protected readonly ensure: (name: string) => Promise<void>,
    /** Set inside a transaction. */
    readonly uow: UnitOfWork | null,
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    return new PgCollection<T>(this.db, name, this.ensure, this.uow);
  }

  /**
   * Inside a transaction a checkpoint is read or written under a lock held until commit: two
   * processes projecting the same page serialize here, and the second one sees the first one's
   * checkpoint (a fresh snapshot per statement under READ COMMITTED), so it never applies an
   * event twice nor writes its checkpoint over a reset. Re-entrant within the transaction.
   */
  private async lockCheckpoint(name: string): Promise<void> {
    if (this.uow) await this.db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(this.schema, `checkpoint:${name}`)]);
  }

  async getCheckpoint(name: string): Promise<number> {
    await this.lockCheckpoint(name);
    const row = (await this.db.query<{ position: string }>('SELECT position FROM checkpoints WHERE name = $1', [name])).rows[0];
    return row ? Number(row.position) : 0;
  }

  async setCheckpoint(name: string, position: number): Promise<void> {
    await this.lockCheckpoint(name);
    await this.db.query(
      'INSERT INTO checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
      [name, position],
    );
  }

  async dropCollection(name: string): Promise<void> {
    await this.ensure(name);
    await this.uow?.beforeQuery(table(name), true);
    await this.db.query(`DELETE FROM ${table(name)}`);
  }
}

/**
 * PostgreSQL read store: one table per collection of JSONB documents, expression indexes on
 * the declared fields, checkpoints in the same schema so a page of projected events and its
 * checkpoint commit together. Queries follow the SQLite adapter's semantics exactly (see
 * json() and sortKey()), checked by the same contract suite.
 */
export class PostgresReadStore extends PgTx implements ReadStore {
  readonly kind = 'postgres';
  private readonly known = new Map<string, Promise<void>>();
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool, schema: string) {
    const ensure = (name: string): Promise<void> => {
      let p = this.known.get(name);
      if (!p) {
        p = this.createTable(name);
        p.catch(() => this.known.delete(name));
        this.known.set(name, p);
      }
      return p;
    };
    super(pool, schema, ensure, null);
    this.pool = pool;
  }

  static async connect(url: string, options: { schema?: string } = {}): Promise<PostgresReadStore> {
    const schema = options.schema ?? 'public';
    const pool = await openPgPool(url, schema, 'CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position BIGINT NOT NULL)');
    return new PostgresReadStore(pool, schema);
  }

  private async createTable(name: string): Promise<void> {
    const t = table(name);
    await inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(this.schema, `ddl:${t}`)]);
      await c.query(`CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY, doc JSONB NOT NULL)`);
    });
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    await this.ensure(spec.name);
    const t = table(spec.name);
    for (const idx of spec.indexes ?? []) {
      const idxName = indexName(t, idx).slice(0, 63);
      const cols = idx.fields
        .map((f, i) => `${f === 'id' ? 'id' : `(${json(f)})`}${indexDir(idx, i) === 'desc' ? ' DESC' : ''}`)
        .join(', ');
      await inTransaction(this.pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(this.schema, `ddl:${t}`)]);
        await c.query(`CREATE ${idx.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${idxName} ON ${t} (${cols})`);
      });
    }
  }

  async listCollections(): Promise<string[]> {
    const rows = (
      await this.pool.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'rm\\_%'",
        [this.schema],
      )
    ).rows;
    return rows.map((r) => r.t.slice(3));
  }

  /** Plain VACUUM: dead row versions are pruned (their bytes may linger in free space and the WAL; see README). */
  async compact(): Promise<void> {
    for (const name of await this.listCollections()) await this.pool.query(`VACUUM ${table(name)}`);
  }

  async listCheckpoints(): Promise<Record<string, number>> {
    const rows = (await this.pool.query<{ name: string; position: string }>('SELECT name, position FROM checkpoints')).rows;
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.position)]));
  }

  async transaction<R>(fn: (tx: ReadStoreTx) => Promise<R>): Promise<R> {
    return inTransaction(this.pool, async (c) => {
      const tx = new PgTx(c, this.schema, this.ensure, new UnitOfWork(c));
      const result = await fn(tx);
      await tx.uow!.flush();
      return result;
    });
  }

  async ping(): Promise<boolean> {
    return (await this.pool.query('SELECT 1 AS ok')).rowCount === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
