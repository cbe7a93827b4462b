/**
 * The ReadStore contract: one suite, run against every adapter. SQLite always (a temp file per
 * test); MongoDB when MONGO_URL is set (a throwaway database per run, dropped afterwards; a
 * replica set, since transactions need one).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidCursorError, encodeCursor, type Doc, type FindQuery, type ReadStore } from '../../src/readstore/read-store.port.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';

interface ReadStoreHarness {
  open(): Promise<ReadStore>;
  cleanup(): Promise<void>;
}

function sqliteHarness(): ReadStoreHarness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rs-contract-'));
  let store: ReadStore | undefined;
  return {
    async open() {
      store = new SqliteReadStore(path.join(dir, 'read.sqlite'));
      return store;
    },
    async cleanup() {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function mongoHarness(url: string): Promise<ReadStoreHarness> {
  const { MongoReadStore } = await import('../../src/readstore/mongo-read-store.js');
  const { MongoClient } = await import('mongodb');
  const dbName = `contract_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let store: ReadStore | undefined;
  return {
    async open() {
      store = await MongoReadStore.connect(url, dbName);
      return store;
    },
    async cleanup() {
      await store?.close();
      const client = await MongoClient.connect(url);
      await client.db(dbName).dropDatabase();
      await client.close();
    },
  };
}

/** PostgresReadStore in a fresh schema of DATABASE_URL's database, dropped afterwards. */
async function postgresHarness(url: string): Promise<ReadStoreHarness> {
  const { PostgresReadStore } = await import('../../src/readstore/postgres-read-store.js');
  const { freshSchema, dropSchema } = await import('../support/postgres.js');
  const schema = freshSchema('rs');
  let store: ReadStore | undefined;
  return {
    async open() {
      store = await PostgresReadStore.connect(url, { schema });
      return store;
    },
    async cleanup() {
      await store?.close();
      await dropSchema(url, schema);
    },
  };
}

let seq = 0;
const cname = () => `c${Date.now().toString(36)}_${seq++}`;
const ids = (docs: Doc[]) => docs.map((d) => d.id);

/**
 * A unique-index violation. Checked by code/message, not with toThrow(): a driver's error class
 * may come from another realm when Jest loads a native module for several test files.
 */
async function expectDuplicate(p: Promise<unknown>): Promise<void> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e ?? 'rejected',
  )) as { code?: unknown; message?: unknown } | null;
  expect(err).not.toBeNull();
  expect(`${String(err?.code)} ${String(err?.message)}`).toMatch(/UNIQUE|duplicate key|11000/);
}

/** Walks every page of a query; fails on an endless walk. */
async function walk(store: ReadStore, name: string, query: FindQuery): Promise<Doc[]> {
  const out: Doc[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const page = await store.collection(name).find({ ...query, cursor });
    out.push(...page.items);
    expect(page.items.length).toBeLessThanOrEqual(query.limit ?? 100);
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
  throw new Error('pagination did not terminate');
}

function readStoreContract(name: string, makeHarness: () => Promise<ReadStoreHarness>, options: { shadowBuild?: boolean } = {}): void {
  describe(`ReadStore contract: ${name}`, () => {
    let h: ReadStoreHarness;
    let store: ReadStore;
    beforeEach(async () => {
      h = await makeHarness();
      store = await h.open();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('gets, upserts (whole-document replace) and deletes by id', async () => {
      const c = store.collection(cname());
      expect(await c.get('nope')).toBeNull();
      await c.upsert({ id: 'a', name: 'Ann', tags: ['x', 'y'], nested: { deep: { v: 1 } }, flag: false, none: null });
      expect(await c.get('a')).toEqual({ id: 'a', name: 'Ann', tags: ['x', 'y'], nested: { deep: { v: 1 } }, flag: false, none: null });
      await c.upsert({ id: 'a', name: 'Anna' });
      expect(await c.get('a')).toEqual({ id: 'a', name: 'Anna' });
      expect(Object.keys((await c.get('a'))!)).not.toContain('_id');
      expect(await c.delete('a')).toBe(true);
      expect(await c.delete('a')).toBe(false);
      expect(await c.get('a')).toBeNull();
    });

    it('patches with set, inc and unset on top-level and dotted paths, with and without upsert', async () => {
      const c = store.collection(cname());
      await c.upsert({ id: 'p', n: 1, keep: 'k', gone: 'x', dev: { os: 'ios', ver: 1, drop: true } });
      expect(
        await c.patch('p', {
          set: { name: 'P', 'dev.os': 'android', 'new.path.leaf': 'l' },
          inc: { n: 2, 'dev.ver': 10, fresh: 5, 'stats.hits': 1 },
          unset: ['gone', 'dev.drop', 'missing.path'],
        }),
      ).toBe(true);
      expect(await c.get('p')).toEqual({
        id: 'p',
        n: 3,
        keep: 'k',
        name: 'P',
        fresh: 5,
        dev: { os: 'android', ver: 11 },
        new: { path: { leaf: 'l' } },
        stats: { hits: 1 },
      });
      expect(await c.patch('p', { inc: { n: -3 } })).toBe(true);
      expect((await c.get('p'))!.n).toBe(0);

      expect(await c.patch('absent', { set: { a: 1 } })).toBe(false);
      expect(await c.get('absent')).toBeNull();
      expect(await c.patch('created', { set: { a: 1, 'b.c': 2 }, inc: { count: 1 } }, { upsert: true })).toBe(false);
      expect(await c.get('created')).toEqual({ id: 'created', a: 1, b: { c: 2 }, count: 1 });
      expect(await c.patch('created', { inc: { count: 1 } }, { upsert: true })).toBe(true);
      expect((await c.get('created'))!.count).toBe(2);
      expect(await c.patch('created', { set: { id: 'hijack' } })).toBe(true);
      expect(await c.get('created')).toMatchObject({ id: 'created' });
      expect(await c.get('hijack')).toBeNull();
    });

    describe('find', () => {
      const docs: Doc[] = [
        { id: 'd1', n: 1, s: 'apple', b: true, z: null, o: { x: 10 } },
        { id: 'd2', n: 2, s: 'banana', b: false, z: 'set', o: { x: 20 } },
        { id: 'd3', n: 3, s: 'cherry', b: true, o: { x: 30 } },
        { id: 'd4', n: 4, s: 'date', b: false, z: null },
        { id: 'd5', n: 5, s: 'elder', b: true, z: 'set', o: { x: 10 } },
      ];
      let name: string;
      beforeEach(async () => {
        name = cname();
        for (const d of docs) await store.collection(name).upsert(d);
      });
      const q = async (where: FindQuery['where']) => ids((await store.collection(name).find({ where })).items);

      it('supports every operator, booleans, null and dotted paths', async () => {
        expect(await q({ n: 3 })).toEqual(['d3']);
        expect(await q({ s: { eq: 'date' } })).toEqual(['d4']);
        expect(await q({ n: { ne: 3 } })).toEqual(['d1', 'd2', 'd4', 'd5']);
        expect(await q({ n: { gt: 3 } })).toEqual(['d4', 'd5']);
        expect(await q({ n: { gte: 3 } })).toEqual(['d3', 'd4', 'd5']);
        expect(await q({ n: { lt: 3 } })).toEqual(['d1', 'd2']);
        expect(await q({ n: { lte: 3 } })).toEqual(['d1', 'd2', 'd3']);
        expect(await q({ n: { gt: 1, lt: 5 } })).toEqual(['d2', 'd3', 'd4']);
        expect(await q({ s: { gte: 'banana', lt: 'date' } })).toEqual(['d2', 'd3']);
        expect(await q({ s: { in: ['apple', 'elder', 'fig'] } })).toEqual(['d1', 'd5']);
        expect(await q({ n: { in: [] } })).toEqual([]);
        expect(await q({ b: true })).toEqual(['d1', 'd3', 'd5']);
        expect(await q({ b: { eq: false } })).toEqual(['d2', 'd4']);
        expect(await q({ b: { ne: true } })).toEqual(['d2', 'd4']);
        expect(await q({ z: null })).toEqual(['d1', 'd3', 'd4']); // null or missing
        expect(await q({ z: { eq: null } })).toEqual(['d1', 'd3', 'd4']);
        expect(await q({ z: { ne: null } })).toEqual(['d2', 'd5']);
        expect(await q({ z: { ne: 'set' } })).toEqual(['d1', 'd3', 'd4']);
        expect(await q({ z: { in: ['set', null] } })).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
        expect(await q({ 'o.x': 10 })).toEqual(['d1', 'd5']);
        expect(await q({ 'o.x': { gte: 20 } })).toEqual(['d2', 'd3']);
        expect(await q({ 'o.x': null })).toEqual(['d4']);
        expect(await q({ b: true, n: { gt: 1 } })).toEqual(['d3', 'd5']);
        expect(await q({ id: 'd2' })).toEqual(['d2']);
        expect(await q({ id: { in: ['d4', 'd1'] } })).toEqual(['d1', 'd4']);
        expect(await q({})).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
      });

      it('sorts ascending and descending on several fields, id last', async () => {
        const c = store.collection(name);
        expect(ids((await c.find({ sort: [['n', 'desc']] })).items)).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
        expect(
          ids(
            (
              await c.find({
                sort: [
                  ['b', 'asc'],
                  ['n', 'desc'],
                ],
              })
            ).items,
          ),
        ).toEqual(['d4', 'd2', 'd5', 'd3', 'd1']);
        expect(
          ids(
            (
              await c.find({
                sort: [
                  ['o.x', 'desc'],
                  ['s', 'asc'],
                ],
              })
            ).items,
          ),
        ).toEqual(['d3', 'd2', 'd1', 'd5', 'd4']);
        expect(ids((await c.find({ sort: [['b', 'desc']] })).items)).toEqual(['d5', 'd3', 'd1', 'd4', 'd2']);
        expect(ids((await c.find({ sort: [['id', 'desc']] })).items)).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
        const page = await c.find({ sort: [['n', 'asc']], limit: 2 });
        expect(ids(page.items)).toEqual(['d1', 'd2']);
        expect(page.next_cursor).toEqual(expect.any(String));
        expect((await c.find({ limit: 5 })).next_cursor).toBeNull();
      });

      it('counts with and without a filter', async () => {
        expect(await store.collection(name).count()).toBe(5);
        expect(await store.collection(name).count({ b: true, z: null })).toBe(2);
        expect(await store.collection(cname()).count()).toBe(0);
      });

      it('rejects an invalid cursor with InvalidCursorError', async () => {
        const c = store.collection(name);
        await expect(c.find({ cursor: '%%%not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(c.find({ cursor: Buffer.from('{"a":1}').toString('base64url') })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(c.find({ sort: [['n', 'asc']], cursor: encodeCursor(['only-one']) })).rejects.toBeInstanceOf(InvalidCursorError);
      });

      it('deletes by filter', async () => {
        expect(await store.collection(name).deleteWhere({ b: true, n: { gt: 1 } })).toBe(2);
        expect(ids((await store.collection(name).find()).items)).toEqual(['d1', 'd2', 'd4']);
        expect(await store.collection(name).deleteWhere({ s: 'nothing' })).toBe(0);
      });
    });

    it('walks every row exactly once with cursor pagination, ties and nulls included', async () => {
      const name = cname();
      const c = store.collection(name);
      const all: Doc[] = [];
      for (let i = 0; i < 37; i++) {
        const d: Doc = {
          id: `r${String((i * 7) % 37).padStart(2, '0')}`,
          g: i % 3,
          h: ['x', 'y'][i % 2]!,
          k: i % 5 === 0 ? null : i % 4,
          w: i,
        };
        if (i % 7 === 0) delete d.k; // missing sorts like null
        all.push(d);
        await c.upsert(d);
      }
      const sorts: Array<FindQuery['sort']> = [
        undefined,
        [['g', 'asc']],
        [['g', 'desc']],
        [
          ['g', 'asc'],
          ['h', 'desc'],
        ],
        [
          ['h', 'desc'],
          ['g', 'asc'],
        ],
        [['k', 'asc']],
        [['k', 'desc']],
        [
          ['k', 'asc'],
          ['g', 'desc'],
        ],
        [['w', 'desc']],
      ];
      for (const sort of sorts) {
        for (const limit of [1, 4, 10]) {
          const full = (await c.find({ sort, limit: 1000 })).items;
          const walked = await walk(store, name, { sort, limit });
          expect(ids(walked)).toEqual(ids(full));
          expect(new Set(ids(walked)).size).toBe(all.length);
        }
      }
      const filtered = await walk(store, name, { where: { g: { ne: 1 } }, sort: [['h', 'asc']], limit: 3 });
      expect(ids(filtered).sort()).toEqual(ids(all.filter((d) => d.g !== 1)).sort());
    });

    it('patches through nulls like a plain object write: set under a null parent, inc on null', async () => {
      const c = store.collection(cname());
      await c.upsert({ id: 'n', a: null, count: null, deep: { b: null } });
      expect(await c.patch('n', { set: { 'a.b': 1, 'deep.b.c': 'x' }, inc: { count: 2 } })).toBe(true);
      expect(await c.get('n')).toEqual({ id: 'n', a: { b: 1 }, count: 2, deep: { b: { c: 'x' } } });
      // a scalar parent is replaced by an object; inc treats null, missing and non-numbers as 0 and
      // reads what the sets of the same patch wrote; values are data, never operators
      await c.upsert({ id: 's', a: 'scalar', flag: true, nested: { n: null } });
      expect(
        await c.patch('s', {
          set: { 'a.b': '$notAField', later: 5, obj: { $inc: 1 } },
          inc: { flag: 1, 'nested.n': 3, later: 1, 'fresh.path': 2 },
        }),
      ).toBe(true);
      expect(await c.get('s')).toEqual({
        id: 's',
        a: { b: '$notAField' },
        flag: 1,
        nested: { n: 3 },
        later: 6,
        obj: { $inc: 1 },
        fresh: { path: 2 },
      });
      expect(await c.patch('u', { set: { 'x.y': null }, inc: { 'x.z': 1 } }, { upsert: true })).toBe(false);
      expect(await c.get('u')).toEqual({ id: 'u', x: { y: null, z: 1 } });
    });

    it('orders values of mixed types one way for sort and cursor: null and missing < numbers < text', async () => {
      const name = cname();
      const c = store.collection(name);
      for (const [id, v] of [
        ['a', 'text'],
        ['b', 2],
        ['c', 'Text'],
        ['d', null],
        ['e', 0.5],
        ['f', -3],
      ] as const)
        await c.upsert({ id, v });
      await c.upsert({ id: 'g' });
      expect(ids((await c.find({ sort: [['v', 'asc']] })).items)).toEqual(['d', 'g', 'f', 'e', 'b', 'c', 'a']);
      for (const limit of [1, 2, 3]) {
        expect(ids(await walk(store, name, { sort: [['v', 'asc']], limit }))).toEqual(['d', 'g', 'f', 'e', 'b', 'c', 'a']);
        expect(ids(await walk(store, name, { sort: [['v', 'desc']], limit }))).toEqual(['a', 'c', 'b', 'e', 'f', 'g', 'd']); // ties (nulls) by id, same direction
      }
      // A field holding only booleans sorts false before true (mixing booleans with numbers or text
      // in a sorted field is outside the contract: MongoDB sorts booleans after text).
      for (const [id, b] of [
        ['x', true],
        ['y', false],
        ['z', true],
      ] as const)
        await c.upsert({ id, b });
      expect(ids(await walk(store, name, { where: { b: { ne: null } }, sort: [['b', 'asc']], limit: 1 }))).toEqual(['y', 'x', 'z']);
      expect(ids(await walk(store, name, { where: { b: { ne: null } }, sort: [['b', 'desc']], limit: 1 }))).toEqual(['z', 'x', 'y']);
    });

    it('compares ranges across types as SQLite does: null never matches, booleans are 0/1 among numbers, text above all numbers', async () => {
      const name = cname();
      const c = store.collection(name);
      for (const [id, v] of [
        ['a', 'text'],
        ['b', 2],
        ['c', true],
        ['d', null],
        ['e', 0.5],
        ['f', false],
        ['h', 'B'],
      ] as const)
        await c.upsert({ id, v });
      await c.upsert({ id: 'g' });
      const range = async (where: FindQuery['where']) => ids((await c.find({ where })).items);
      expect(await range({ v: { gt: 0.9 } })).toEqual(['a', 'b', 'c', 'h']);
      expect(await range({ v: { gte: 1 } })).toEqual(['a', 'b', 'c', 'h']);
      expect(await range({ v: { lt: 1 } })).toEqual(['e', 'f']); // never null or missing
      expect(await range({ v: { lte: 0 } })).toEqual(['f']);
      expect(await range({ v: { gt: 0, lt: 1 } })).toEqual(['e']);
      expect(await range({ v: { gte: 'a' } })).toEqual(['a']);
      expect(await range({ v: { gt: 'A' } })).toEqual(['a', 'h']); // text compares bytewise: 'B' < 'a'
      expect(await range({ v: { lt: 'B' } })).toEqual(['b', 'c', 'e', 'f']); // every number and boolean is below text
      expect(await range({ v: { lte: 'B' } })).toEqual(['b', 'c', 'e', 'f', 'h']);
    });

    it('ensureCollection creates unique indexes (idempotently) that reject duplicates', async () => {
      const name = cname();
      const spec = {
        name,
        indexes: [{ fields: ['email'], unique: true }, { fields: ['tenant', 'slug'], unique: true }, { fields: ['n'] }],
      };
      await store.ensureCollection(spec);
      await store.ensureCollection(spec);
      const c = store.collection(name);
      await c.upsert({ id: 'u1', email: 'a@x.se', tenant: 't1', slug: 's' });
      await expectDuplicate(c.upsert({ id: 'u2', email: 'a@x.se', tenant: 't2', slug: 's' }));
      await expectDuplicate(c.upsert({ id: 'u3', email: 'b@x.se', tenant: 't1', slug: 's' }));
      await expectDuplicate(c.patch('u4', { set: { email: 'a@x.se' } }, { upsert: true }));
      await c.upsert({ id: 'u5', email: 'c@x.se', tenant: 't2', slug: 's' });
      await c.upsert({ id: 'u1', email: 'a@x.se', tenant: 't1', slug: 's', more: 1 }); // replacing itself is fine
      await c.upsert({ id: 'm1' }); // documents without the indexed fields do not collide
      await c.upsert({ id: 'm2' });
      await c.upsert({ id: 'n1', email: null, tenant: null, slug: null }); // nor do explicit nulls
      await c.upsert({ id: 'n2', email: null, tenant: null, slug: null });
      expect((await c.find({ sort: [['id', 'asc']] })).items.map((d) => d.id)).toEqual(['m1', 'm2', 'n1', 'n2', 'u1', 'u5']);
      await store.dropCollection(name);
      expect(await c.count()).toBe(0);
      await c.upsert({ id: 'u1', email: 'a@x.se' });
      await expectDuplicate(c.upsert({ id: 'u2', email: 'a@x.se' }));
    });

    it('commits a transaction all together, with its checkpoint', async () => {
      const [a, b] = [cname(), cname()];
      await store.ensureCollection({ name: a });
      await store.ensureCollection({ name: b });
      const result = await store.transaction(async (tx) => {
        await tx.collection(a).upsert({ id: '1', v: 1 });
        await tx.collection(b).patch('2', { inc: { v: 2 } }, { upsert: true });
        await tx.collection(a).patch('1', { inc: { v: 10 } });
        expect((await tx.collection(a).get('1'))!.v).toBe(11); // reads its own writes
        expect(await tx.collection(a).count()).toBe(1);
        await tx.setCheckpoint('proj-tx', 42);
        expect(await tx.getCheckpoint('proj-tx')).toBe(42);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await store.collection(a).get('1')).toEqual({ id: '1', v: 11 });
      expect(await store.collection(b).get('2')).toEqual({ id: '2', v: 2 });
      expect(await store.getCheckpoint('proj-tx')).toBe(42);
    });

    it('rolls a failing transaction back completely, checkpoint included', async () => {
      const a = cname();
      await store.ensureCollection({ name: a });
      await store.collection(a).upsert({ id: 'keep', v: 1 });
      await store.setCheckpoint('proj-rb', 7);
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          await tx.collection(a).upsert({ id: 'new', v: 1 });
          await tx.collection(a).patch('keep', { set: { v: 2 } });
          await tx.collection(a).delete('keep');
          await tx.collection(a).deleteWhere({});
          await tx.dropCollection(a); // a rebuild's reset: undone with its checkpoint
          await tx.setCheckpoint('proj-rb', 99);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(ids((await store.collection(a).find()).items)).toEqual(['keep']);
      expect(await store.collection(a).get('keep')).toEqual({ id: 'keep', v: 1 });
      expect(await store.getCheckpoint('proj-rb')).toBe(7);
      // The store is usable afterwards.
      await store.transaction(async (tx) => tx.setCheckpoint('proj-rb', 8));
      expect(await store.getCheckpoint('proj-rb')).toBe(8);
    });

    it('gets, sets and lists checkpoints', async () => {
      expect(await store.getCheckpoint('never')).toBe(0);
      await store.setCheckpoint('p1', 10);
      await store.setCheckpoint('p2', 20);
      await store.setCheckpoint('p1', 15);
      expect(await store.getCheckpoint('p1')).toBe(15);
      expect(await store.listCheckpoints()).toEqual(expect.objectContaining({ p1: 15, p2: 20 }));
      expect(await store.listCheckpoints()).not.toHaveProperty('never');
    });

    it('drops every document of a collection and only of that one', async () => {
      const [a, b] = [cname(), cname()];
      for (const n of [a, b]) for (const id of ['1', '2', '3']) await store.collection(n).upsert({ id, n });
      await store.dropCollection(a);
      expect(await store.collection(a).count()).toBe(0);
      expect(await store.collection(b).count()).toBe(3);
      await store.collection(a).upsert({ id: '9' });
      expect(await store.collection(a).count()).toBe(1);
      await store.dropCollection(cname()); // dropping an unknown collection is harmless
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    if (options.shadowBuild)
      shadowBuildContract(
        () => h,
        () => store,
        (s) => (store = s),
      );
  });
}

readStoreContract('sqlite', async () => sqliteHarness());

const pgUrl = process.env.DATABASE_URL;
(pgUrl ? describe : describe.skip)('PostgreSQL (DATABASE_URL)', () => {
  readStoreContract('postgres', () => postgresHarness(pgUrl!));
});

const mongoUrl = process.env.MONGO_URL;
(mongoUrl ? describe : describe.skip)('MongoDB (MONGO_URL)', () => {
  readStoreContract('mongodb', () => mongoHarness(mongoUrl!), { shadowBuild: true });
});

/**
 * Stores that rebuild beside the live model (MongoDB: no transaction may grow with a
 * collection): the live model serves reads and takes writes until the swap, which brings the
 * shadow's documents, indexes and checkpoint in together, also when it is finished after a crash.
 */
function shadowBuildContract(h: () => ReadStoreHarness, current: () => ReadStore, reopened: (s: ReadStore) => void): void {
  describe('shadow build and swap', () => {
    let store: ReadStore;
    beforeEach(() => {
      store = current();
    });
    const spec = (name: string) => ({ name, indexes: [{ fields: ['email'], unique: true }, { fields: ['n'] }] });

    it('keeps the live model and checkpoint until the swap, then brings the shadow in with its checkpoint and indexes', async () => {
      const c = cname();
      await store.ensureCollection(spec(c));
      await store.collection(c).upsert({ id: 'old', email: 'o@x', n: 1 });
      await store.setCheckpoint('proj-sh', 50);
      const shadow = await store.shadowBuild!('proj-sh', [spec(c)]);
      expect(await shadow.getCheckpoint()).toBe(0);
      await shadow.transaction(async (tx) => {
        expect(await tx.getCheckpoint('proj-sh')).toBe(0);
        expect(await tx.collection(c).count()).toBe(0); // the shadow starts empty
        await tx.collection(c).upsert({ id: 'new', email: 'n@x', n: 2 });
        await tx.setCheckpoint('proj-sh', 30);
      });
      // The live model is untouched and keeps taking the live projection's writes.
      await store.transaction(async (tx) => {
        expect(await tx.getCheckpoint('proj-sh')).toBe(50);
        await tx.collection(c).upsert({ id: 'old2', email: 'o2@x', n: 3 });
        await tx.setCheckpoint('proj-sh', 60);
      });
      expect(ids((await store.collection(c).find()).items)).toEqual(['old', 'old2']);
      expect(await shadow.getCheckpoint()).toBe(30);
      // Events arriving during the rebuild go on into the shadow.
      await shadow.transaction(async (tx) => {
        await tx.collection(c).patch('new', { inc: { n: 1 } });
        await tx.setCheckpoint('proj-sh', 61);
      });
      await shadow.swap();
      expect((await store.collection(c).find()).items).toEqual([{ id: 'new', email: 'n@x', n: 3 }]);
      expect(await store.getCheckpoint('proj-sh')).toBe(61);
      const cps = await store.listCheckpoints();
      expect(cps['proj-sh']).toBe(61);
      expect(Object.keys(cps).filter((k) => k.includes('rebuild'))).toEqual([]);
      expect((await store.listCollections!()).filter((n) => n.startsWith(c))).toEqual([c]);
      // The shadow's unique index came along, under the live collection's index names.
      await expectDuplicate(store.collection(c).upsert({ id: 'dup', email: 'n@x' }));
      await store.ensureCollection(spec(c));
      await store.collection(c).upsert({ id: 'other', email: 'other@x' });
      expect(await store.collection(c).count()).toBe(2);
    });

    it('holds the projection while a swap is pending and finishes it on the next connect (a crash after the swap began)', async () => {
      const c = cname();
      await store.ensureCollection(spec(c));
      await store.collection(c).upsert({ id: 'old', email: 'o@x' });
      await store.setCheckpoint('proj-cr', 80);
      const shadow = await store.shadowBuild!('proj-cr', [spec(c)]);
      await shadow.transaction(async (tx) => {
        await tx.collection(c).upsert({ id: 'new', email: 'n@x' });
        await tx.setCheckpoint('proj-cr', 70);
      });
      // What swap() writes first, then a crash before any rename.
      const { MongoClient } = await import('mongodb');
      const client = await MongoClient.connect(mongoUrl!);
      const db = client.db((store as unknown as { db: { databaseName: string } }).db.databaseName);
      const cpDocs = await db.collection<{ _id: string }>('checkpoints').find({}).toArray();
      const shadowCp = cpDocs.map((d) => d._id).find((id) => id.startsWith('proj-cr__rebuild_'))!;
      const shadowColl = (await db.listCollections({}, { nameOnly: true }).toArray())
        .map((x) => x.name)
        .find((n) => n.startsWith(`rm_${c}__rebuild_`))!;
      expect(shadowCp).toBeDefined();
      expect(shadowColl).toBeDefined();
      await db.collection<{ _id: string }>('checkpoints').updateOne(
        { _id: 'proj-cr' },
        {
          $set: {
            swap: {
              build: shadowCp.split('__rebuild_')[1],
              renames: [{ from: shadowColl, to: `rm_${c}` }],
              position: 70,
              checkpoint: shadowCp,
            },
          },
        },
      );
      await client.close();
      // Pending: no page may apply (the checkpoint reads as beyond any position); reads still see the old model.
      expect(await store.transaction((tx) => tx.getCheckpoint('proj-cr'))).toBeGreaterThan(1e15);
      expect(ids((await store.collection(c).find()).items)).toEqual(['old']);
      await store.close();
      store = await h().open();
      reopened(store);
      expect(ids((await store.collection(c).find()).items)).toEqual(['new']);
      expect(await store.getCheckpoint('proj-cr')).toBe(70);
      expect(Object.keys(await store.listCheckpoints()).filter((k) => k.includes('rebuild'))).toEqual([]);
      await expectDuplicate(store.collection(c).upsert({ id: 'dup', email: 'n@x' }));
    });
  });
}
