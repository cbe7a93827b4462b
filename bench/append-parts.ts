/**
 * `npm run bench -- append` (b): where the rest of a one-event append's main-thread time goes,
 * each part alone on the same event (CPU µs per call, process.cpuUsage): the envelope
 * (sealEvent: canonicalJson + SHA-256 + ids), JSON.stringify, the last-of-stream read, and one
 * BEGIN IMMEDIATE + INSERT + COMMIT on the events schema with its indexes and with one of them
 * left out (interleaved rounds on tables of BENCH_PARTS_ROWS rows, default 200,000; WAL
 * truncated between rounds, not timed). Measures only: the store keeps its schema.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { NewEvent } from '../src/eventstore/event-store.port.js';
import { canonicalJson, sealEvent } from '../src/eventstore/hash-chain.js';

const ROWS = Number(process.env.BENCH_PARTS_ROWS ?? 200_000);

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const perCall = (fn: (i: number) => unknown, n = 20_000): number => {
  for (let i = 0; i < 1000; i++) fn(i);
  const t0 = cpuMicros();
  for (let i = 0; i < n; i++) fn(i);
  return (cpuMicros() - t0) / n;
};

const SCHEMAS: Array<[string, string, string]> = [
  ['3 indexes (as stored)', 'id TEXT NOT NULL UNIQUE', 'CREATE INDEX events_type ON events (type, position);'],
  ['without events_type', 'id TEXT NOT NULL UNIQUE', ''],
  ['without id UNIQUE', 'id TEXT NOT NULL', 'CREATE INDEX events_type ON events (type, position);'],
];

export function appendParts(dir: string, event: (i: number) => NewEvent, rounds: number): string[] {
  const e = event(1);
  const at = new Date().toISOString();
  const prev = 'a'.repeat(64);
  const sealed = sealEvent(e, prev, at, randomUUID);
  const out = [`(b) parts of a one-event append, alone (CPU µs per call; commits: ${rounds} interleaved rounds on ${ROWS} rows)`];
  out.push(
    `    sealEvent ${perCall(() => sealEvent(e, prev, at, randomUUID)).toFixed(2)} · of it canonicalJson ${perCall(() => canonicalJson({ ...e, metadata: sealed.metadata })).toFixed(2)}`,
  );
  out.push(`    JSON.stringify data + metadata ${perCall(() => JSON.stringify(e.data) + JSON.stringify(sealed.metadata)).toFixed(2)}`);

  const row = { type: e.type, occurred_at: at, data: JSON.stringify(e.data), metadata: JSON.stringify(sealed.metadata), schema_version: 1 };
  const tables = SCHEMAS.map(([name, idColumn, extra], k) => {
    const db = new Database(join(dir, `parts-${k}.sqlite`));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, ${idColumn}, stream TEXT NOT NULL,
      version INTEGER NOT NULL, type TEXT NOT NULL, occurred_at TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
      schema_version INTEGER NOT NULL DEFAULT 1, UNIQUE (stream, version)); ${extra}`);
    const insert = db.prepare(
      `INSERT INTO events (id, stream, version, type, occurred_at, data, metadata, schema_version)
       VALUES (@id, @stream, @version, @type, @occurred_at, @data, @metadata, @schema_version)`,
    );
    const versions = new Map<string, number>();
    const next = (i: number) => {
      const stream = `mfa-${i % 5000}`;
      const version = (versions.get(stream) ?? -1) + 1;
      versions.set(stream, version);
      return { ...row, id: randomUUID(), stream, version };
    };
    let n = 0;
    db.transaction(() => {
      for (; n < ROWS; n++) insert.run(next(n));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { name, db, insert, next, n, cpu: 0, count: 0 };
  });
  const last = tables[0]!.db.prepare<[string], { version: number; metadata: string }>(
    'SELECT version, metadata FROM events WHERE stream = ? ORDER BY version DESC LIMIT 1',
  );
  out.push(`    last-of-stream SELECT + JSON.parse ${perCall((i) => JSON.parse(last.get(`mfa-${i % 5000}`)!.metadata)).toFixed(2)}`);
  out.push(`    empty BEGIN IMMEDIATE + COMMIT ${perCall(() => tables[0]!.db.exec('BEGIN IMMEDIATE; COMMIT')).toFixed(2)}`);
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 ? [...tables].reverse() : tables) {
      const t0 = cpuMicros();
      for (let i = 0; i < 3000; i++) {
        t.db.exec('BEGIN IMMEDIATE');
        t.insert.run(t.next(t.n++));
        t.db.exec('COMMIT');
      }
      t.cpu += cpuMicros() - t0;
      t.count += 3000;
      t.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }
  for (const t of tables) {
    out.push(`    1-row commit, ${t.name.padEnd(22)} ${(t.cpu / t.count).toFixed(1)}`);
    t.db.close();
  }
  return out;
}
