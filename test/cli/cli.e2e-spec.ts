import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { SqliteReadStore } from '../../src/readstore/sqlite-read-store.js';
import { ALL_PROJECTIONS } from '../../projections/registry.js';
import { ensureBuilt, runCli } from './helpers/run-cli.js';

/** A tiny test-only projection: per-player visit counters. */
const visits = defineProjection({
  name: 'cli_test_visits',
  collections: [{ name: 'cli_test_visits' }],
  handles: ['VisitRecorded'],
  async apply(e, tx) {
    const data = e.data as { player: string; points: number };
    await tx.collection('cli_test_visits').patch(data.player, { inc: { visits: 1, points: data.points } }, { upsert: true });
  },
});

describe('operator CLI (real process, temp DATA_DIR)', () => {
  let dataDir: string;

  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'plq-cli-'));
    const es = new SqliteEventStore(join(dataDir, 'events.sqlite'), () => new Date('2026-03-02T08:00:00.000Z'));
    await es.append(
      'player-anna',
      [
        { type: 'PlayerRegistered', data: { name: 'Anna' }, metadata: { actor_id: 'admin-1', tenant_id: 't-1' } },
        { type: 'VisitRecorded', data: { player: 'anna', points: 3 }, metadata: { actor_id: 'anna', correlation_id: 'c-1' } },
      ],
      'no_stream',
    );
    await es.append('player-bo', [{ type: 'VisitRecorded', data: { player: 'bo', points: 5 }, metadata: { actor_id: 'bo' } }], 'no_stream');
    await es.append('player-anna', [{ type: 'VisitRecorded', data: { player: 'anna', points: 4 } }], 1);
    await es.close();
  }, 180_000);

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stream:read shows an auditor view of one stream', () => {
    const text = runCli(dataDir, ['stream:read', 'player-anna']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('stream player-anna: 3 events');
    expect(text.stdout).toMatch(/#0 {2}PlayerRegistered/);
    expect(text.stdout).toMatch(/actor +admin-1 {2}\(tenant t-1\)/);
    expect(text.stdout).toMatch(/hash +[0-9a-f]{64}/);

    const json = runCli(dataDir, ['stream:read', 'player-anna', '--json']);
    expect(json.code).toBe(0);
    const events = JSON.parse(json.stdout);
    expect(events).toHaveLength(3);
    expect(events.map((e: { version: number }) => e.version)).toEqual([0, 1, 2]);
    expect(events[1]).toMatchObject({
      version: 1,
      position: 2,
      type: 'VisitRecorded',
      occurred_at: '2026-03-02T08:00:00.000Z',
      actor: 'anna',
      data: { player: 'anna', points: 3 },
      metadata: { correlation_id: 'c-1' },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prev_hash: events[0].hash,
    });
    expect(events[2].position).toBe(4);
  });

  it('stream:read of a missing stream exits 1', () => {
    const res = runCli(dataDir, ['stream:read', 'player-nobody']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('player-nobody not found');
  });

  it('projections:status lists every registered projection with checkpoint, head and lag', () => {
    const res = runCli(dataDir, ['projections:status', '--json']);
    expect(res.code).toBe(0);
    const status = JSON.parse(res.stdout) as Array<{ name: string; checkpoint: number; head: number; lag: number }>;
    expect(status.map((s) => s.name)).toEqual(ALL_PROJECTIONS.map((p) => p.name));
    for (const s of status) expect(s).toEqual({ name: s.name, checkpoint: expect.any(Number), head: 4, lag: 4 - s.checkpoint });
    const table = runCli(dataDir, ['projections:status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(ALL_PROJECTIONS.length ? /name +checkpoint +head +lag/ : /no projections registered \(head 4\)/);
  });

  it('rebuilds a projection through the engine API, and the CLI status reads its checkpoint', async () => {
    const es = new SqliteEventStore(join(dataDir, 'events.sqlite'));
    const rs = new SqliteReadStore(join(dataDir, 'read.sqlite'));
    try {
      const engine = new ProjectionEngine(es, rs, [visits], { batchSize: 2 });
      await engine.prepare();
      const progress: Array<[number, number]> = [];
      expect(await engine.rebuild('cli_test_visits', (done, total) => progress.push([done, total]))).toBe(4);
      expect(progress.at(-1)).toEqual([4, 4]);
      // a second rebuild drops and replays: same result, no double counting
      await engine.rebuild('cli_test_visits');
      expect(await rs.collection('cli_test_visits').get('anna')).toEqual({ id: 'anna', visits: 2, points: 7 });
      expect(await rs.collection('cli_test_visits').get('bo')).toEqual({ id: 'bo', visits: 1, points: 5 });
      expect(await engine.status()).toEqual([{ name: 'cli_test_visits', checkpoint: 4, head: 4, lag: 0 }]);
    } finally {
      await rs.close();
      await es.close();
    }
  });

  it('projections:rebuild --all succeeds with whatever is registered; an unknown name is a usage error', () => {
    const all = runCli(dataDir, ['projections:rebuild', '--all']);
    expect(all.stderr).not.toMatch(/failed/);
    expect(all.code).toBe(0);
    if (ALL_PROJECTIONS.length === 0) expect(all.stdout).toContain('nothing to rebuild');
    else for (const p of ALL_PROJECTIONS) expect(all.stdout).toContain(`rebuilt ${p.name}: 4 events`);
    const status = JSON.parse(runCli(dataDir, ['projections:status', '--json']).stdout) as Array<{ lag: number }>;
    expect(status.every((s) => s.lag === 0)).toBe(true);

    const unknown = runCli(dataDir, ['projections:rebuild', 'no_such_projection']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown projection no_such_projection');
  });

  it('rejects unknown commands and bad arguments with usage on stderr and exit 2', () => {
    for (const args of [
      [],
      ['nope'],
      ['stream:read'],
      ['projections:rebuild'],
      ['projections:rebuild', 'a', '--all'],
      ['audit:verify', '--bogus'],
    ]) {
      const res = runCli(dataDir, args);
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stderr).toMatch(/Usage: npm run cli --/);
      expect(res.stdout).toBe('');
    }
    const help = runCli(dataDir, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('audit:verify');
  });

  it('a bad configuration variable is named and exits 2', () => {
    const res = runCli(dataDir, ['projections:status'], { PORT: 'eighty' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('PORT must be an integer');
  });

  it('audit:verify passes, then detects a row altered directly in SQLite', () => {
    const ok = runCli(dataDir, ['audit:verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('audit:verify OK: 2 streams, 4 events');
    expect(runCli(dataDir, ['audit:verify', '--stream', 'player-bo']).stdout).toContain('OK: 1 stream, 1 events');

    const db = new Database(join(dataDir, 'events.sqlite'));
    db.prepare('UPDATE events SET data = ? WHERE stream = ? AND version = ?').run(
      JSON.stringify({ player: 'anna', points: 30 }),
      'player-anna',
      1,
    );
    db.close();

    const bad = runCli(dataDir, ['audit:verify']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('first broken link: stream player-anna, version 1, position 2, reason hash_mismatch');
    expect(bad.stdout).toContain('1 of 2 streams broken');
    expect(runCli(dataDir, ['audit:verify', '--stream', 'player-bo']).code).toBe(0);
    expect(runCli(dataDir, ['audit:verify', '--stream', 'player-anna']).code).toBe(1);
  });

  it('audit:verify reports a row whose JSON was damaged, and a deleted event', () => {
    const db = new Database(join(dataDir, 'events.sqlite'));
    db.prepare('UPDATE events SET data = ? WHERE stream = ? AND version = ?').run('{"player":', 'player-bo', 0);
    db.close();
    const bad = runCli(dataDir, ['audit:verify', '--stream', 'player-bo']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('stream player-bo, version 0, position 3, reason unreadable');

    const db2 = new Database(join(dataDir, 'events.sqlite'));
    db2.prepare('DELETE FROM events WHERE stream = ? AND version = ?').run('player-anna', 1);
    db2.close();
    const gap = runCli(dataDir, ['audit:verify', '--stream', 'player-anna']);
    expect(gap.code).toBe(1);
    expect(gap.stdout).toContain('stream player-anna, version 2, position 4, reason version_gap');
  });
});
