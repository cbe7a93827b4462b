/**
 * The ReadStore port: documents (read models) and projection checkpoints. Adapters: SQLite
 * (JSON documents with expression indexes) and MongoDB. Both pass
 * test/contract/read-store.contract.ts.
 *
 * Documents are plain JSON objects with a string `id`. Field paths are top-level names or
 * dotted paths ("device.os"). Booleans, numbers, strings and null compare as in JSON.
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
}

export interface CollectionSpec {
  name: string;
  /** Each index is a list of field paths (compound when longer than one). */
  indexes?: Array<{ fields: string[]; unique?: boolean }>;
}

export interface ReadStore extends ReadStoreTx {
  readonly kind: string;
  /** Creates the collection and its declared indexes if missing (idempotent). */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  /** Removes every document of a collection (rebuild). */
  dropCollection(name: string): Promise<void>;
  /** Runs fn atomically: either all its writes (and checkpoints) persist, or none. */
  transaction<R>(fn: (tx: ReadStoreTx) => Promise<R>): Promise<R>;
  /** All checkpoints, for status/lag. */
  listCheckpoints(): Promise<Record<string, number>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
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

/** Reads a dotted path of a plain object. */
export function getPath(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
