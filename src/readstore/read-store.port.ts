/**
 * The ReadStore port: documents (read models) and projection checkpoints. Adapters: SQLite
 * (JSON documents with expression indexes), PostgreSQL (JSONB) and MongoDB. All pass
 * test/contract/read-store.contract.spec.ts, which pins what follows.
 *
 * Documents are plain JSON objects with a string `id`. Field paths are top-level names or
 * dotted paths ("device.os"). What every adapter guarantees (SQLite's semantics; MongoDB's
 * native ones differ and its adapter translates):
 * - Null and missing are one case: `{ f: null }`, `eq: null` and a null in `in` match both; they
 *   sort lowest (first ascending, last descending) and never satisfy a range (gt/gte/lt/lte).
 * - Ranges compare across types in one order: numbers and booleans (false = 0, true = 1)
 *   numerically, then all text above every number; text compares bytewise (UTF-8).
 * - Sort and cursor pages use the same order for null, numbers and text; a field holding only
 *   booleans sorts false before true. Not guaranteed: sorting a field that mixes booleans with
 *   numbers or text, ranges or sorts over objects and arrays, and `eq` between a boolean and a
 *   number (SQLite's `true` equals 1, PostgreSQL's and MongoDB's does not).
 * - patch() behaves like applyPatch (patch.ts): `set` of "a.b" makes `a` an object when it is
 *   missing, null or a scalar; `inc` counts a missing, null or non-numeric value as 0 and reads
 *   what the same patch's `set` wrote; then `unset`.
 * - A unique index ignores documents in which any of its fields is missing or null.
 */
export type Doc = { id: string } & Record<string, unknown>;

export type Scalar = string | number | boolean | null;
export interface FieldOps {
  eq?: Scalar;
  ne?: Scalar;
  gt?: string | number;
  gte?: string | number;
  lt?: string | number;
  lte?: string | number;
  in?: Scalar[];
}
/** Equality when a scalar is given, else the operators (all must hold). */
export type Where = Record<string, Scalar | FieldOps>;

export interface FindQuery {
  where?: Where;
  /** Sort fields; `id` is always appended as the final tie-breaker (same direction as the last). */
  sort?: Array<[field: string, dir: 'asc' | 'desc']>;
  limit?: number;
  /** Opaque cursor returned as `next_cursor` by a previous page of the same query. */
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Patch {
  set?: Record<string, unknown>;
  inc?: Record<string, number>;
  unset?: string[];
}

export interface Collection<T extends Doc = Doc> {
  readonly name: string;
  get(id: string): Promise<T | null>;
  /** Insert or replace the whole document. */
  upsert(doc: T): Promise<void>;
  /** Apply set/inc/unset; with `upsert` a missing document is created from { id, ...set, ...inc }. Returns whether a document matched. */
  patch(id: string, patch: Patch, options?: { upsert?: boolean }): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  deleteWhere(where: Where): Promise<number>;
  find(query?: FindQuery): Promise<Page<T>>;
  count(where?: Where): Promise<number>;
}

/** Operations bound to one transaction (SQLite) or session transaction (MongoDB). */
export interface ReadStoreTx {
  collection<T extends Doc = Doc>(name: string): Collection<T>;
  getCheckpoint(name: string): Promise<number>;
  setCheckpoint(name: string, position: number): Promise<void>;
  /** Removes every document of a collection (rebuild), inside the transaction when called on one. */
  dropCollection(name: string): Promise<void>;
}

export interface CollectionSpec {
  name: string;
  /**
   * Each index is a list of field paths (compound when longer than one); `order` gives each
   * field's direction (default ascending), e.g. newest-first history scans.
   */
  indexes?: Array<{ fields: string[]; unique?: boolean; order?: Array<'asc' | 'desc'> }>;
}

/** The name every adapter gives an index: its fields (a descending one suffixed `_desc`), `_u` when unique. */
export function indexName(prefix: string, idx: NonNullable<CollectionSpec['indexes']>[number]): string {
  const parts = idx.fields.map((f, i) => f.replace(/\./g, '_') + (idx.order?.[i] === 'desc' ? '_desc' : ''));
  return `${prefix}__${parts.join('_')}${idx.unique ? '_u' : ''}`;
}
/** The direction of an index's i-th field. */
export const indexDir = (idx: NonNullable<CollectionSpec['indexes']>[number], i: number): 'asc' | 'desc' => idx.order?.[i] ?? 'asc';

/**
 * A projection's read model rebuilt beside the live one (MongoDB: see MongoReadStore.shadowBuild).
 * Its transactions see the projection's own collections and checkpoint as the shadow's (empty and
 * 0 at first; other collections are the live ones); readers keep reading the live model until
 * swap() puts the shadow's documents and checkpoint in its place, both at once.
 */
export interface ShadowBuild {
  transaction<R>(fn: (tx: ReadStoreTx) => Promise<R>): Promise<R>;
  /** The shadow's checkpoint. */
  getCheckpoint(): Promise<number>;
  swap(): Promise<void>;
}

export interface ReadStore extends ReadStoreTx {
  readonly kind: string;
  /** Creates the collection and its declared indexes if missing (idempotent). */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  /** Runs fn atomically: either all its writes (and checkpoints) persist, or none. */
  transaction<R>(fn: (tx: ReadStoreTx) => Promise<R>): Promise<R>;
  /** All checkpoints, for status/lag. */
  listCheckpoints(): Promise<Record<string, number>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** Every collection's logical name (GDPR erasure scrubs them all, also ones no projection declares). */
  listCollections?(): Promise<string[]>;
  /**
   * Starts a shadow build of a projection's collections (declared indexes created up front), for
   * stores whose transactions are time-limited (MongoDB: 60 s), where a rebuild cannot clear a
   * large collection in one. Stores without it (SQLite, PostgreSQL: no transaction lifetime limit)
   * rebuild by clearing the collections and resetting the checkpoint in one transaction.
   */
  shadowBuild?(projection: string, collections: CollectionSpec[]): Promise<ShadowBuild>;
  /** Rewrites the store's files so deleted or replaced document versions are gone from them (SQLite: VACUUM, WAL truncated). */
  compact?(): Promise<void>;
}

export const READ_STORE = Symbol('READ_STORE');

/** Keyset cursor helpers shared by adapters: the cursor is base64url JSON of the last row's sort values + id. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}
export function decodeCursor(cursor: string): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v)) throw new Error('not an array');
    return v;
  } catch {
    throw new InvalidCursorError();
  }
}
export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor() {
    super('cursor is not valid for this query');
  }
}

const COLLECTION_NAME = /^[a-z][a-z0-9_]{0,55}$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The table/collection an adapter keeps a read model in (names are spliced into SQL, so they are checked). */
export function storageName(name: string): string {
  if (!COLLECTION_NAME.test(name)) throw new Error(`invalid collection name: ${name}`);
  return `rm_${name}`;
}

/** A field path checked before it is spliced into a query. */
export function checkPath(path: string): string {
  if (!FIELD_PATH.test(path)) throw new Error(`invalid field path: ${path}`);
  return path;
}

export type SortSpec = Array<[field: string, dir: 'asc' | 'desc']>;

/** The sort of a find as every adapter runs it: the requested fields, then `id` in the direction of the last one. */
export function sortWithId(query: FindQuery): SortSpec {
  const sort: SortSpec = [...(query.sort ?? [])].filter(([f]) => f !== 'id');
  sort.push(['id', query.sort?.length ? query.sort[query.sort.length - 1]![1] : 'asc']);
  return sort;
}

/** The sort values a cursor carries; InvalidCursorError unless it was made for a sort of this length. */
export function cursorValues(cursor: string, sort: SortSpec): unknown[] {
  const values = decodeCursor(cursor);
  if (values.length !== sort.length) throw new InvalidCursorError();
  return values;
}

/** The page size a find may ask for. */
export const pageLimit = (query: FindQuery): number => Math.max(1, Math.min(query.limit ?? 100, 10_000));

/** A page from `limit + 1` fetched rows: the extra row only says that there is a next page. */
export function toPage<T extends Doc>(rows: T[], limit: number, sort: SortSpec): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor(sort.map(([f]) => getPath(last, f) ?? null)) : null };
}

/** Reads a dotted path of a plain object. */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
