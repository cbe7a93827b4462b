import { PostgresEventStore } from '../../src/eventstore/postgres-event-store.js';
import { dropSchema, freshSchema, PG_URL, pgQuery } from '../support/postgres.js';
import { ensureBuilt, runCli } from './helpers/run-cli.js';

/** audit:verify run by the real CLI against PostgreSQL (DATABASE_URL + a fresh DATABASE_SCHEMA). */
(PG_URL ? describe : describe.skip)('audit:verify on PostgreSQL (real CLI process)', () => {
  const url = PG_URL!;
  const schema = freshSchema('audit');
  const env = { DATABASE_URL: url, DATABASE_SCHEMA: schema };
  const dataDir = '/nonexistent-data-dir-postgres-holds-everything';

  beforeAll(async () => {
    ensureBuilt();
    const es = await PostgresEventStore.connect(url, { schema, now: () => new Date('2026-03-02T08:00:00.000Z') });
    await es.append(
      'player-anna',
      [
        { type: 'PlayerRegistered', data: { name: 'Anna' }, metadata: { actor_id: 'admin-1' } },
        { type: 'VisitRecorded', data: { player: 'anna', points: 3 } },
      ],
      'no_stream',
    );
    await es.append('player-bo', [{ type: 'VisitRecorded', data: { player: 'bo', points: 5 } }], 'no_stream');
    await es.append('player-anna', [{ type: 'VisitRecorded', data: { player: 'anna', points: 4 } }], 1);
    await es.close();
  }, 180_000);
  afterAll(() => dropSchema(url, schema));

  it('passes, then names an altered row, a damaged row and a deleted event', async () => {
    const ok = runCli(dataDir, ['audit:verify'], env);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('audit:verify OK: 2 streams, 4 events');

    await pgQuery(url, schema, 'UPDATE events SET data = $1 WHERE stream = $2 AND version = 1', [
      '{"player":"anna","points":30}',
      'player-anna',
    ]);
    const bad = runCli(dataDir, ['audit:verify'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('first broken link: stream player-anna, version 1, position 2, reason hash_mismatch');
    expect(runCli(dataDir, ['audit:verify', '--stream', 'player-bo'], env).code).toBe(0);

    await pgQuery(url, schema, "UPDATE events SET data = '{\"player\":' WHERE stream = 'player-bo'");
    expect(runCli(dataDir, ['audit:verify', '--stream', 'player-bo'], env).stdout).toContain(
      'stream player-bo, version 0, position 3, reason unreadable',
    );

    await pgQuery(url, schema, "DELETE FROM events WHERE stream = 'player-anna' AND version = 1");
    expect(runCli(dataDir, ['audit:verify', '--stream', 'player-anna'], env).stdout).toContain(
      'stream player-anna, version 2, position 4, reason version_gap',
    );
  });
});
