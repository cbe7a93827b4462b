import { randomUUID } from 'node:crypto';
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
  type ShadowBuild,
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
/** A swap in progress (see MongoReadStore.shadowBuild): the renames to make, then the checkpoint to take. */
interface PendingSwap {
  build: string;
  renames: Array<{ from: string; to: string }>;
  position: number;
  /** The shadow's own checkpoint document, deleted once the swap is done. */
  checkpoint: string;
}
interface CheckpointDoc {
  _id: string;
  position: number;
  swap?: PendingSwap;
}
/** Where a transaction of a shadow build writes: the shadowed collections and checkpoint, by logical name. */
interface ShadowNames {
  projection: string;
  checkpoint: string;
  collections: Map<string, string>;
}
/** Marks a shadow's collections and checkpoint (with a random build id after it). */
const SHADOW = '__rebuild_';
/**
 * What getCheckpoint answers while a swap is pending: no page applies to a projection at or
 * beyond it, so nothing writes to the collections being renamed nor moves the checkpoint.
 */
const HELD = Number.MAX_SAFE_INTEGER;

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
    private readonly shadow?: ShadowNames,
  ) {}

  private physical(name: string): string {
    return this.shadow?.collections.get(name) ?? collName(name);
  }
  private checkpointId(name: string): string {
    return this.shadow && name === this.shadow.projection ? this.shadow.checkpoint : name;
  }

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    return new MongoCollection<T>(name, this.db.collection<Stored>(this.physical(name)), this.session);
  }

  protected get checkpoints(): MongoCollectionType<CheckpointDoc> {
    return this.db.collection<CheckpointDoc>('checkpoints');
  }

  async getCheckpoint(name: string): Promise<number> {
    const doc = await this.checkpoints.findOne({ _id: this.checkpointId(name) }, this.session ? { session: this.session } : {});
    return doc?.swap ? HELD : (doc?.position ?? 0);
  }

  async setCheckpoint(name: string, position: number): Promise<void> {
    await this.checkpoints.updateOne(
      { _id: this.checkpointId(name) },
      { $set: { position } },
      { upsert: true, ...(this.session ? { session: this.session } : {}) },
    );
  }

  async dropCollection(name: string): Promise<void> {
    await this.db.collection(this.physical(name)).deleteMany({}, this.session ? { session: this.session } : {});
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
    await store.finishPendingSwaps();
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
    await this.createWithIndexes(spec, collName(spec.name));
  }

  /** The collection `physical` with spec's indexes, named after the live collection (a shadow's survive its rename as the live names). */
  private async createWithIndexes(spec: CollectionSpec, physical: string): Promise<void> {
    const name = collName(spec.name);
    await this.createIfMissing(physical);
    for (const idx of spec.indexes ?? []) {
      const fields = idx.fields.map(field);
      if (fields.length === 1 && fields[0] === '_id') continue; // the primary key is already a unique index
      const base = indexName(name, { ...idx, unique: false });
      const idxName = `${base}${idx.unique ? '_un' : ''}`;
      const coll = this.db.collection(physical);
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
    return this.inSession(fn);
  }

  private async inSession<R>(fn: (tx: ReadStoreTx) => Promise<R>, shadow?: ShadowNames): Promise<R> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => fn(new MongoOps(this.db, session, shadow)));
    } finally {
      await session.endSession();
    }
  }

  /**
   * A rebuild without a transaction that grows with the collection (MongoDB aborts any after
   * transactionLifetimeLimitSeconds, 60 s): the projection's collections are built as
   * `rm_<name>__rebuild_<id>` (declared indexes first, under the live collections' index names)
   * with their own checkpoint document `<projection>__rebuild_<id>`, in the engine's ordinary
   * bounded page transactions, while the live model keeps serving reads and applying events.
   * swap() then:
   * 1. writes the pending swap (renames and the shadow's position) into the projection's
   *    checkpoint document, one atomic single-document write. From then on getCheckpoint answers
   *    HELD, so no page applies to the projection; a page already running writes that same
   *    document at its end, so it either committed before (and the shadow replaces its work) or
   *    aborts on the write conflict and is retried, seeing HELD;
   * 2. renames each shadow collection over its live one (`renameCollection` with `dropTarget`:
   *    atomic within a database, readers see the old collection or the new one, never none);
   * 3. replaces the pending swap with the shadow's position and deletes the shadow's checkpoint.
   * A crash before 1 leaves the live model and its checkpoint untouched (the shadow stays
   * behind, unused; drop `*__rebuild_*` collections by hand). After 1, the next process to
   * connect finishes the swap (finishPendingSwaps): renames are redone unless their source is
   * gone (done already), then step 3. So the projection has either the old collections with
   * the old checkpoint or the new ones with the shadow's. Of a projection with two collections,
   * a reader may see one swapped before the other for the moment between the renames.
   */
  async shadowBuild(projection: string, collections: CollectionSpec[]): Promise<ShadowBuild> {
    const build = randomUUID().replace(/-/g, '').slice(0, 12);
    const names: ShadowNames = {
      projection,
      checkpoint: `${projection}${SHADOW}${build}`,
      collections: new Map(collections.map((c) => [c.name, `${collName(c.name)}${SHADOW}${build}`])),
    };
    for (const c of collections) await this.createWithIndexes(c, names.collections.get(c.name)!);
    await this.checkpoints.updateOne({ _id: names.checkpoint }, { $set: { position: 0 } }, { upsert: true });
    const shadowOps = new MongoOps(this.db, undefined, names);
    return {
      transaction: (fn) => this.inSession(fn, names),
      getCheckpoint: () => shadowOps.getCheckpoint(projection),
      swap: async () => {
        const swap: PendingSwap = {
          build,
          renames: collections.map((c) => ({ from: names.collections.get(c.name)!, to: collName(c.name) })),
          position: await shadowOps.getCheckpoint(projection),
          checkpoint: names.checkpoint,
        };
        await this.checkpoints.updateOne({ _id: projection }, { $set: { swap } }, { upsert: true });
        await this.finishSwap(projection, swap);
      },
    };
  }

  /** Step 2 and 3 of a swap (see shadowBuild); safe to run again, also by another process. */
  private async finishSwap(projection: string, swap: PendingSwap): Promise<void> {
    for (const r of swap.renames) {
      try {
        await this.db.renameCollection(r.from, r.to, { dropTarget: true });
      } catch (err) {
        if ((err as { code?: number }).code !== 26) throw err; // NamespaceNotFound: renamed already
      }
    }
    await this.checkpoints.updateOne(
      { _id: projection, 'swap.build': swap.build },
      { $set: { position: swap.position }, $unset: { swap: '' } },
    );
    await this.checkpoints.deleteOne({ _id: swap.checkpoint });
  }

  /** Finishes the swaps a crashed process left pending (after step 1). */
  async finishPendingSwaps(): Promise<void> {
    for (const doc of await this.checkpoints.find({ swap: { $exists: true } }).toArray()) await this.finishSwap(doc._id, doc.swap!);
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
    return Object.fromEntries(rows.filter((r) => !r._id.includes(SHADOW)).map((r) => [r._id, r.swap ? r.swap.position : r.position]));
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
