import { MongoClient, type ClientSession, type Collection as MongoCollectionType, type Db, type Document, type Filter } from 'mongodb';
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
  type Scalar,
  type Where,
  indexDir,
  indexName,
} from './read-store.port.js';
import { retryFirstConnection } from '../shared/connect-retry.js';

const isUnreachable = (err: unknown): boolean =>
  ['MongoServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoTopologyClosedError'].includes(
    (err as { name?: string } | null)?.name ?? '',
  );

interface Stored extends Document {
  _id: string;
}
interface CheckpointDoc {
  _id: string;
  position: number;
}

const collName = storageName;
/** Port field path -> Mongo path: `id` is the document key `_id`. */
function field(path: string): string {
  return checkPath(path) === 'id' ? '_id' : path;
}

const toStored = (doc: Doc): Stored => {
  const { id, _id: _ignored, ...rest } = doc as Doc & { _id?: unknown };
  return { ...rest, _id: id };
};
const fromStored = <T extends Doc>(stored: Stored): T => {
  const { _id, ...rest } = stored;
  return { id: _id, ...rest } as T;
};

const NUMERIC = ['double', 'int', 'long', 'decimal'];
/** JSON types SQLite's json_extract compares as text (objects and arrays become their JSON text). */
const TEXTLIKE = ['string', 'object', 'array'];
/** Every JSON type but null: what a unique index covers. */
const INDEXED_TYPES = ['string', 'bool', 'object', 'array', ...NUMERIC];
type RangeOp = 'gt' | 'gte' | 'lt' | 'lte';
const holds = (a: number | string, op: RangeOp, b: number | string): boolean =>
  op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;

/**
 * A range condition with SQLite's cross-type order (the port's contract): null and missing never
 * match; numbers and booleans (as 0/1) compare numerically and sort below all text. MongoDB's own
 * `$gt`/`$lt` compare only values of one type ("type bracketing") and never treat booleans as
 * numbers, so the other classes are added explicitly as alternatives.
 */
function range(f: string, op: RangeOp, v: number | string): Document {
  const alts: Document[] = [];
  if (typeof v === 'number') {
    alts.push({ [f]: { [`$${op}`]: v } }); // type bracketing: numbers only
    const bools = [false, true].filter((b) => holds(b ? 1 : 0, op, v));
    if (bools.length) alts.push({ [f]: { $in: bools } });
    if (op === 'gt' || op === 'gte') alts.push({ [f]: { $type: TEXTLIKE } });
  } else {
    alts.push({ [f]: { [`$${op}`]: v } }); // type bracketing: strings only
    if (op === 'lt' || op === 'lte') alts.push({ [f]: { $type: [...NUMERIC, 'bool'] } });
  }
  return alts.length === 1 ? alts[0]! : { $or: alts };
}

/** Same semantics as the SQLite adapter: `{ f: null }` / `eq: null` match null or missing. */
function whereFilter(where: Where | undefined): Filter<Stored> {
  const and: Document[] = [];
  for (const [path, cond] of Object.entries(where ?? {})) {
    const f = field(path);
    if (cond === null || typeof cond !== 'object') {
      and.push({ [f]: cond });
      continue;
    }
    const ops = cond as FieldOps;
    if ('eq' in ops) and.push({ [f]: ops.eq ?? null });
    if ('ne' in ops) and.push({ [f]: { $ne: ops.ne ?? null } });
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const v = ops[op];
      if (v !== undefined) and.push(f === '_id' ? { _id: { [`$${op}`]: String(v) } } : range(f, op, v));
    }
    if (ops.in) and.push({ [f]: { $in: ops.in as Scalar[] } });
  }
  return (and.length === 0 ? {} : and.length === 1 ? and[0]! : { $and: and }) as Filter<Stored>;
}

/** Strictly after `v` in the sort order of direction `dir` (null/missing sort lowest, as in SQLite). */
function after(f: string, v: unknown, dir: 'asc' | 'desc'): Document | null {
  if (f === '_id') return { _id: { [dir === 'asc' ? '$gt' : '$lt']: v } };
  if (dir === 'asc') return v === null ? { [f]: { $ne: null } } : range(f, 'gt', cursorScalar(v));
  return v === null ? null : { $or: [range(f, 'lt', cursorScalar(v)), { [f]: null }] };
}
/** A cursor value as a range bound: booleans order as 0/1, objects and arrays are not supported sort keys. */
const cursorScalar = (v: unknown): number | string => (typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : String(v));

const isObject = (ref: string): Document => ({ $eq: [{ $type: ref }, 'object'] });
/**
 * The new value of the field at `ref` after writing `leaf` at `rest` below it, as an aggregation
 * expression: a missing, null or scalar parent becomes an object, as in applyPatch (a classic
 * `$set` of "a.b" fails on `a: null`). Path parts are checked names, so they are safe as keys.
 */
function setUnder(ref: string, rest: string[], leaf: Document): Document {
  if (rest.length === 0) return leaf;
  const [head, ...tail] = rest as [string, ...string[]];
  return { $mergeObjects: [{ $cond: [isObject(ref), ref, { $literal: {} }] }, { [head]: setUnder(`${ref}.${head}`, tail, leaf) }] };
}
function setStage(path: string, leaf: Document): Document {
  const [top, ...rest] = path.split('.') as [string, ...string[]];
  return { $set: { [top]: setUnder(`$${top}`, rest, leaf) } };
}

/**
 * A Patch as an update pipeline with applyPatch's semantics, one stage per path in its order:
 * every `set`, then every `inc` (which reads the result of the sets; a missing, null or
 * non-numeric value counts as 0, where `$inc` fails on null), then `unset`. Values go through
 * `$literal`, so a string starting with "$" or an object is never read as an expression.
 */
export function patchPipeline(patch: Patch): Document[] {
  const keep = (k: string) => field(k) !== '_id';
  const stages: Document[] = [];
  for (const [k, v] of Object.entries(patch.set ?? {})) if (keep(k)) stages.push(setStage(k, { $literal: v }));
  for (const [k, v] of Object.entries(patch.inc ?? {})) {
    if (!keep(k)) continue;
    const ref = `$${k}`;
    stages.push(setStage(k, { $add: [{ $cond: [{ $in: [{ $type: ref }, NUMERIC] }, ref, 0] }, v] }));
  }
  const unset = (patch.unset ?? []).filter(keep);
  if (unset.length) stages.push({ $unset: unset });
  return stages;
}

class MongoCollection<T extends Doc> implements Collection<T> {
  constructor(
    readonly name: string,
    private readonly coll: MongoCollectionType<Stored>,
    private readonly session?: ClientSession,
  ) {}

  private get opts() {
    return this.session ? { session: this.session } : {};
  }

  async get(id: string): Promise<T | null> {
    const doc = await this.coll.findOne({ _id: id }, this.opts);
    return doc ? fromStored<T>(doc) : null;
  }

  async upsert(doc: T): Promise<void> {
    await this.coll.replaceOne({ _id: doc.id }, toStored(doc), { ...this.opts, upsert: true });
  }

  async patch(id: string, patch: Patch, options: { upsert?: boolean } = {}): Promise<boolean> {
    const stages = patchPipeline(patch);
    // An empty patch still matches (and upserts when asked): MongoDB 5.0+ accepts an empty $set.
    const update: Document | Document[] = stages.length ? stages : { $set: {} };
    const res = await this.coll.updateOne({ _id: id }, update, { ...this.opts, upsert: options.upsert === true });
    return res.matchedCount > 0;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.coll.deleteOne({ _id: id }, this.opts)).deletedCount > 0;
  }

  async deleteWhere(where: Where): Promise<number> {
    return (await this.coll.deleteMany(whereFilter(where), this.opts)).deletedCount;
  }

  async count(where?: Where): Promise<number> {
    return this.coll.countDocuments(whereFilter(where), this.opts);
  }

  async find(query: FindQuery = {}): Promise<Page<T>> {
    const sort = sortWithId(query);
    const and: Document[] = [whereFilter(query.where)];
    if (query.cursor) {
      const values = cursorValues(query.cursor, sort);
      // Keyset: (a > x) OR (a = x AND b > y) OR ...
      const ors: Document[] = [];
      for (let i = 0; i < sort.length; i++) {
        const branch: Document[] = [];
        for (let j = 0; j < i; j++) branch.push({ [field(sort[j]![0])]: values[j] ?? null });
        const next = after(field(sort[i]![0]), values[i] ?? null, sort[i]![1]);
        if (!next) continue;
        branch.push(next);
        ors.push(branch.length === 1 ? branch[0]! : { $and: branch });
      }
      and.push(ors.length ? { $or: ors } : { _id: { $in: [] } });
    }
    const limit = pageLimit(query);
    const rows = await this.coll
      .find({ $and: and } as Filter<Stored>, this.opts)
      .sort(sort.map(([f, d]) => [field(f), d === 'asc' ? 1 : -1] as [string, 1 | -1]))
      .limit(limit + 1)
      .toArray();
    return toPage(
      rows.map((r) => fromStored<T>(r)),
      limit,
      sort,
    );
  }
}

/** Operations bound to one session (inside withTransaction) or to none (autocommit). */
class MongoOps implements ReadStoreTx {
  constructor(
    protected readonly db: Db,
    protected readonly session?: ClientSession,
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    return new MongoCollection<T>(name, this.db.collection<Stored>(collName(name)), this.session);
  }

  protected get checkpoints(): MongoCollectionType<CheckpointDoc> {
    return this.db.collection<CheckpointDoc>('checkpoints');
  }

  async getCheckpoint(name: string): Promise<number> {
    const doc = await this.checkpoints.findOne({ _id: name }, this.session ? { session: this.session } : {});
    return doc?.position ?? 0;
  }

  async setCheckpoint(name: string, position: number): Promise<void> {
    await this.checkpoints.updateOne(
      { _id: name },
      { $set: { position } },
      { upsert: true, ...(this.session ? { session: this.session } : {}) },
    );
  }

  async dropCollection(name: string): Promise<void> {
    await this.db.collection(collName(name)).deleteMany({}, this.session ? { session: this.session } : {});
  }
}

/**
 * Production read store over MongoDB (a replica set: transactions need one). Each read-model
 * collection is `rm_<name>` with the document id as `_id`; checkpoints live in `checkpoints`.
 * transaction(fn) runs fn inside session.withTransaction, which may call fn again on a transient
 * error, so fn must only do read-store work (projection handlers are idempotent by design).
 */
export class MongoReadStore extends MongoOps implements ReadStore {
  readonly kind = 'mongodb';

  constructor(
    private readonly client: MongoClient,
    db: Db,
  ) {
    super(db);
  }

  /**
   * Connects, waiting for a server that is still starting (each try waits serverSelectionTimeoutMS,
   * 30 s by default, for a primary); a malformed URL or bad credentials fail at once. From the
   * host the URL needs `directConnection=true` (README): otherwise the driver follows the replica
   * set's member name (`mongo:27017`), which resolves only inside the compose network.
   */
  static async connect(url: string, dbName: string): Promise<MongoReadStore> {
    const client = await retryFirstConnection('MongoDB', () => MongoClient.connect(url), isUnreachable, { attempts: 6 });
    const store = new MongoReadStore(client, client.db(dbName));
    // Created up front: the first setCheckpoint may run inside a transaction.
    await store.createIfMissing('checkpoints');
    return store;
  }

  private async createIfMissing(name: string): Promise<void> {
    const existing = await this.db.listCollections({ name }, { nameOnly: true }).toArray();
    if (existing.length > 0) return;
    try {
      await this.db.createCollection(name);
    } catch (err) {
      if ((err as { code?: number }).code !== 48) throw err; // NamespaceExists: created concurrently
    }
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    const name = collName(spec.name);
    await this.createIfMissing(name);
    for (const idx of spec.indexes ?? []) {
      const fields = idx.fields.map(field);
      if (fields.length === 1 && fields[0] === '_id') continue; // the primary key is already a unique index
      const base = indexName(name, { ...idx, unique: false });
      const idxName = `${base}${idx.unique ? '_un' : ''}`;
      const coll = this.db.collection(name);
      await coll.createIndex(
        Object.fromEntries(fields.map((f, i) => [f, indexDir(idx, i) === 'desc' ? -1 : 1])),
        idx.unique
          ? { name: idxName, unique: true, partialFilterExpression: Object.fromEntries(fields.map((f) => [f, { $type: INDEXED_TYPES }])) }
          : { name: idxName },
      );
      if (idx.unique) {
        // Like SQLite's UNIQUE: documents whose field is missing *or null* do not collide. The
        // filter names the non-null JSON types, since `$exists: true` also admits explicit nulls
        // (and `$ne` is not allowed in a partial filter). `_u` was that earlier index; it goes once this one exists.
        await coll.dropIndex(`${base}_u`).catch((err: { code?: number }) => {
          if (err.code !== 27) throw err; // IndexNotFound
        });
      }
    }
  }

  async transaction<R>(fn: (tx: ReadStoreTx) => Promise<R>): Promise<R> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => fn(new MongoOps(this.db, session)));
    } finally {
      await session.endSession();
    }
  }

  async listCollections(): Promise<string[]> {
    const all = await this.db.listCollections({}, { nameOnly: true }).toArray();
    return all
      .map((c) => c.name)
      .filter((n) => n.startsWith('rm_'))
      .map((n) => n.slice(3));
  }

  async listCheckpoints(): Promise<Record<string, number>> {
    const rows = await this.checkpoints.find({}).toArray();
    return Object.fromEntries(rows.map((r) => [r._id, r.position]));
  }

  async ping(): Promise<boolean> {
    try {
      const res = await this.db.command({ ping: 1 });
      return res.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
