import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
  /** Appends from a separate OS process; resolves with the child's outcome. */
  appendFromChild?(stream: string, expected: ExpectedVersion, startAt: number, count?: number): Promise<ChildOutcome>;
  cleanup(): Promise<void>;
}

export interface ChildOutcome {
  ok: boolean;
  conflict?: boolean;
  version?: number;
  message?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

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
    appendFromChild(stream, expected, startAt, count = 1) {
      return new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', './test/contract/helpers/register-ts.mjs', './test/contract/helpers/sqlite-append-child.ts', file, stream, String(expected), String(startAt), String(count)],
          { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
          const line = out.trim().split('\n').pop();
          if (code !== 0 || !line) reject(new Error(`child exited ${code}: ${err}`));
          else resolve(JSON.parse(line) as ChildOutcome);
        });
      });
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
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
export async function kurrentFakeHarness(): Promise<EventStoreHarness> {
  const { KurrentDbEventStore } = await import('../../../src/eventstore/kurrentdb-event-store.js');
  const { FakeKurrentDbClient } = await import('./fake-kurrentdb-client.js');
  const client = new FakeKurrentDbClient() as unknown as ConstructorParameters<typeof KurrentDbEventStore>[0];
  const stores: EventStore[] = [];
  const open = async () => {
    const s = new KurrentDbEventStore(client);
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
