import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { EventStore } from '../../src/eventstore/event-store.port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ensureBuilt, ROOT } from './helpers/run-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import { dropSchema, freshSchema, PG_URL } from '../support/postgres.js';

/**
 * An operator rebuilds a projection with the CLI (another process) while the server keeps
 * appending and projecting: the rebuilt read model must still hold every event, including the
 * ones the server projected while the rebuild was replaying. On the embedded stores, and on
 * PostgreSQL (both processes on one schema) when DATABASE_URL is set.
 */
function rebuildLive(
  engine: string,
  storage: () => { env: Record<string, string>; openEvents(t: TestApp): Promise<EventStore>; cleanup(): Promise<void> },
  fillerPages: number,
  allowPending = false,
): void {
  describe(`projections:rebuild from the CLI while the server runs (${engine})`, () => {
    let t: TestApp;
    const s = storage();
    beforeAll(async () => {
      ensureBuilt();
      t = await startTestApp({ env: { ...BOOTSTRAP_ENV, ...s.env } });
    }, 180_000); // ensureBuilt compiles dist when it is stale
    afterAll(async () => {
      await t?.close();
      await s.cleanup();
    });

    it('loses no session that was started before or during the rebuild', async () => {
      const admin = await adminLogin(t);
      const m = await addMember(t, admin, { email: 'busy@club.test' });
      let logins = 0;
      let last = await login(t, 'busy@club.test', m.password);
      for (let i = 0; i < 20; i++) {
        last = await login(t, 'busy@club.test', m.password);
        logins++;
      }

      // enough history that the replay takes many pages, so the server's own batches land in between
      const filler = await s.openEvents(t);
      for (let i = 0; i < fillerPages; i++) {
        const events = Array.from({ length: 1000 }, (_, j) => ({
          type: 'RefreshTokenRotated',
          data: {
            session_id: `filler-${i}-${j}`,
            user_id: 'nobody',
            generation: 1,
            refresh_hash: 'x',
            idle_expires_at: '2030-01-01T00:00:00.000Z',
            at: '2026-03-02T08:00:00.000Z',
          },
        }));
        await filler.append(`filler-${i}`, events, 'no_stream');
      }
      await filler.close();
      await t.settle();

      const cli = spawn(process.execPath, [join(ROOT, 'scripts/cli.mjs'), 'projections:rebuild', 'sessions'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent', ...s.env },
        stdio: 'ignore',
      });
      let exitCode: number | null | undefined;
      const exited = new Promise<void>((resolve) => cli.on('exit', (code) => ((exitCode = code), resolve())));
      let during = 0;
      let pending = 0;
      while (exitCode === undefined) {
        // A login whose session the server has not projected within the read-your-writes wait
        // answers 202 (accepted, pending) with its tokens: allowed only where the engine says so.
        const res = await t.http
          .post('/auth/login')
          .set('User-Agent', UA.firefoxWindows)
          .send({ email: 'busy@club.test', password: m.password });
        if (res.status === 202 && allowPending) pending++;
        else expect(res.status).toBe(200);
        last = { ...res.body, auth: { Authorization: `Bearer ${res.body.access_token}` } };
        logins++;
        during++;
      }
      if (pending) process.stdout.write(`rebuild-live (${engine}): ${pending} of ${during} logins during the rebuild answered 202\n`);
      await exited;
      expect(exitCode).toBe(0);
      expect(during).toBeGreaterThan(0);
      await t.settle();

      const sessions = (await t.http.get('/auth/sessions').set(last.auth).expect(200)).body.items;
      expect(sessions).toHaveLength(logins + 1);
      expect(new Set(sessions.map((x: { id: string }) => x.id)).size).toBe(logins + 1);
    }, 180_000);
  });
}

rebuildLive(
  'sqlite',
  () => ({
    env: {},
    openEvents: async (t) => new SqliteEventStore(join(t.dataDir, 'events.sqlite')),
    cleanup: async () => undefined,
  }),
  40,
);

(PG_URL ? describe : describe.skip)('PostgreSQL (DATABASE_URL)', () => {
  const schema = freshSchema('rebuild');
  rebuildLive(
    'postgres',
    () => ({
      env: { DATABASE_URL: PG_URL!, DATABASE_SCHEMA: schema },
      async openEvents() {
        const { PostgresEventStore } = await import('../../src/eventstore/postgres-event-store.js');
        return PostgresEventStore.connect(PG_URL!, { schema });
      },
      cleanup: () => dropSchema(PG_URL!, schema),
    }),
    4, // PostgreSQL pays a round trip per document: 4,000 events replay in a few seconds, in many transactions
    // the live page waits for the CLI's short replay transactions (the projection's lock); on a
    // loaded machine one login can pass the 5 s read-your-writes wait: 202, and its session must still be there
    true,
  );
});
