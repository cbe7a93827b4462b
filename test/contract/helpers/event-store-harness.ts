import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import swc from '@swc/core';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { EventStore, ExpectedVersion, StoredEvent } from '../../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../../src/eventstore/sqlite-event-store.js';

/** What the shared contract suite needs from one adapter. */
export interface EventStoreHarness {
  /** A store; all stores of one harness see the same data (tests use unique streams and types). */
  open(): Promise<EventStore>;
  /** Another instance/connection on the same storage (a second server or CLI). */
  openSecond(): Promise<EventStore>;
  /** Alters the stored data of one event behind the store's back (only where the engine permits). */
  tamper?(stream: string, version: number, data: Record<string, unknown>): Promise<void>;
  /** Inserts a raw row at an existing (stream, version) on a separate connection; returns the error code. */
  insertRawDuplicate?(stream: string, version: number): Promise<string | null>;
  /** Appends from `children` separate OS processes released together; resolves with their outcomes. */
  appendFromChildren?(stream: string, expected: ExpectedVersion, children: number, count?: number): Promise<ChildOutcome[]>;
  cleanup(): Promise<void>;
  /** False where events read from a stream carry no position (-1): KurrentDB before 22.6. */
  streamReadPositions?: boolean;
}

export interface ChildOutcome {
  ok: boolean;
  conflict?: boolean;
  version?: number;
  message?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/**
 * Compiles the child script and its relative imports (followed transitively) to plain ES modules
 * under `dir`, beside a node_modules link, so each child starts as fast as plain node.
 */
export function compileChild(dir: string, entry = 'test/contract/helpers/append-child.ts'): string {
  const out = path.join(dir, 'child');
  if (existsSync(path.join(out, entry.replace(/\.ts$/, '.js')))) return path.join(out, entry.replace(/\.ts$/, '.js'));
  const todo = [entry];
  const done = new Set<string>();
  while (todo.length) {
    const rel = todo.pop()!;
    if (done.has(rel)) continue;
    done.add(rel);
    const { code } = swc.transformFileSync(path.join(repoRoot, rel), {
      jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022' },
      module: { type: 'es6' },
    });
    const target = path.join(out, rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, code);
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
      todo.push(path.posix.normalize(path.posix.join(path.posix.dirname(rel), `${m[1]}.ts`)));
    }
  }
  if (!existsSync(path.join(out, 'package.json'))) {
    writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  }
  return path.join(out, entry.replace(/\.ts$/, '.js'));
}

export function runChild(script: string, args: string[]) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const outcome = new Promise<ChildOutcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line || line === 'ready') reject(new Error(`child exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as ChildOutcome);
    });
  });
  outcome.catch(() => onReady()); // a child that dies early must not block the barrier
  return { ready, outcome, go: () => child.stdin.end('go\n') };
}

/** Starts `children` append-child processes on one storage and releases them together. */
async function raceChildren(
  dir: string,
  storage: [engine: string, location: string, schema: string],
  stream: string,
  expected: ExpectedVersion,
  children: number,
  count: number,
): Promise<ChildOutcome[]> {
  const script = compileChild(dir);
  const procs = Array.from({ length: children }, () => runChild(script, [...storage, stream, String(expected), String(count)]));
  await Promise.all(procs.map((p) => p.ready)); // every child has its own connection open...
  for (const p of procs) p.go(); // ...then all of them append at once
  return Promise.all(procs.map((p) => p.outcome));
}

export function sqliteHarness(): EventStoreHarness {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'es-contract-'));
  const file = path.join(dir, 'events.sqlite');
  const stores: EventStore[] = [];
  const open = async () => {
    const s = new SqliteEventStore(file, () => new Date(), 20);
    stores.push(s);
    return s;
  };
  return {
    open,
    openSecond: open,
    async tamper(stream, version, data) {
      const db = new Database(file);
      try {
        db.prepare('UPDATE events SET data = ? WHERE stream = ? AND version = ?').run(JSON.stringify(data), stream, version);
      } finally {
        db.close();
      }
    },
    async insertRawDuplicate(stream, version) {
      const db = new Database(file);
      try {
        db.prepare(
          `INSERT INTO events (id, stream, version, type, occurred_at, data, metadata) VALUES (?, ?, ?, 'Forged', '2020-01-01T00:00:00.000Z', '{}', '{}')`,
        ).run(randomUUID(), stream, version);
        return null;
      } catch (err) {
        return String((err as { code?: unknown }).code);
      } finally {
        db.close();
      }
    },
    appendFromChildren: (stream, expected, children, count = 1) =>
      raceChildren(dir, ['sqlite', file, '-'], stream, expected, children, count),
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgresEventStore in a fresh schema of DATABASE_URL's database, dropped at cleanup. */
export async function postgresHarness(url: string): Promise<EventStoreHarness> {
  const { PostgresEventStore } = await import('../../../src/eventstore/postgres-event-store.js');
  const { freshSchema, dropSchema, pgQuery } = await import('../../support/postgres.js');
  const schema = freshSchema('es');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'es-pg-contract-'));
  const stores: EventStore[] = [];
  const open = async () => {
    const s = await PostgresEventStore.connect(url, { schema, pollMs: 200 });
    stores.push(s);
    return s;
  };
  return {
    open,
    openSecond: open,
    async tamper(stream, version, data) {
      await pgQuery(url, schema, 'UPDATE events SET data = $1 WHERE stream = $2 AND version = $3', [JSON.stringify(data), stream, version]);
    },
    async insertRawDuplicate(stream, version) {
      try {
        await pgQuery(
          url,
          schema,
          `INSERT INTO events (position, id, stream, version, type, occurred_at, data, metadata)
           VALUES ((SELECT MAX(position) + 1 FROM events), $1, $2, $3, 'Forged', '2020-01-01T00:00:00.000Z', '{}', '{}')`,
          [randomUUID(), stream, version],
        );
        return null;
      } catch (err) {
        return String((err as { code?: unknown }).code);
      }
    },
    appendFromChildren: (stream, expected, children, count = 1) =>
      raceChildren(dir, ['postgres', url, schema], stream, expected, children, count),
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
      await dropSchema(url, schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function kurrentHarness(url: string): Promise<EventStoreHarness> {
  const { KurrentDbEventStore } = await import('../../../src/eventstore/kurrentdb-event-store.js');
  const stores: EventStore[] = [];
  const open = async () => {
    const s = await KurrentDbEventStore.connect(url);
    stores.push(s);
    return s;
  };
  return {
    open,
    openSecond: open,
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
    },
  };
}

/** KurrentDbEventStore over the in-memory FakeKurrentDbClient: checks the adapter's own logic only. */
export async function kurrentFakeHarness(options: { streamReadPositions?: boolean } = {}): Promise<EventStoreHarness> {
  const { KurrentDbEventStore } = await import('../../../src/eventstore/kurrentdb-event-store.js');
  const { FakeKurrentDbClient } = await import('./fake-kurrentdb-client.js');
  const client = new FakeKurrentDbClient(options) as unknown as ConstructorParameters<typeof KurrentDbEventStore>[0];
  const stores: EventStore[] = [];
  const open = async () => {
    const s = new KurrentDbEventStore(client);
    stores.push(s);
    return s;
  };
  return {
    open,
    openSecond: open,
    streamReadPositions: options.streamReadPositions,
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
    },
  };
}

export const uid = (): string => randomUUID().replace(/-/g, '').slice(0, 12);

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Duplicates and gaps of a delivered sequence against the expected one (by event id). */
export function deliveryReport(delivered: StoredEvent[], expected: StoredEvent[]) {
  const seen = new Map<string, number>();
  for (const e of delivered) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  const gaps = expected.filter((e) => !seen.has(e.id)).length;
  const ordered = delivered.every((e, i) => i === 0 || e.position > delivered[i - 1]!.position);
  return { duplicates, gaps, ordered, extra: delivered.length - expected.length };
}

/**
 * The sealing layer (src/privacy) over another harness's stores, as the app wires it: events of
 * type `PersonalNoted` have `email` sealed for `data.user_id`, address streams get keyed names.
 * The data keys live in one SQLite key store per harness, shared by its stores like the events.
 */
export async function sealingHarness(inner: EventStoreHarness): Promise<EventStoreHarness> {
  const { SealingEventStore } = await import('../../../src/privacy/sealing-event-store.js');
  const { PersonalDataVault } = await import('../../../src/privacy/vault.js');
  const { SqliteKeyStore } = await import('../../../src/privacy/key-store.js');
  const { personal } = await import('../../../src/privacy/personal-data-rule.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'es-sealing-contract-'));
  const serverKey = randomBytes(32);
  const streamKey = randomBytes(32);
  const rules = [personal('PersonalNoted', (d) => d.user_id, ['email'])];
  const wrap = async (raw: EventStore) =>
    new SealingEventStore(raw, new PersonalDataVault(new SqliteKeyStore(path.join(dir, 'keys.sqlite')), serverKey), rules, streamKey);
  return {
    ...inner,
    open: async () => wrap(await inner.open()),
    openSecond: async () => wrap(await inner.openSecond()),
    async cleanup() {
      await inner.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
