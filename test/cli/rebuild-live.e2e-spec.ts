import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite-event-store.js';
import { ensureBuilt, ROOT } from './helpers/run-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';

/**
 * An operator rebuilds a projection with the CLI (another process) while the server keeps
 * appending and projecting: the rebuilt read model must still hold every event, including the
 * ones the server projected while the rebuild was replaying.
 */
describe('projections:rebuild from the CLI while the server runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    ensureBuilt();
    t = await startTestApp({ env: BOOTSTRAP_ENV });
  });
  afterAll(() => t.close());

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
    const filler = new SqliteEventStore(join(t.dataDir, 'events.sqlite'));
    for (let i = 0; i < 40; i++) {
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
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    let exitCode: number | null | undefined;
    const exited = new Promise<void>((resolve) => cli.on('exit', (code) => ((exitCode = code), resolve())));
    while (exitCode === undefined) {
      last = await login(t, 'busy@club.test', m.password);
      logins++;
    }
    await exited;
    expect(exitCode).toBe(0);
    await t.settle();

    const sessions = (await t.http.get('/auth/sessions').set(last.auth).expect(200)).body.items;
    expect(sessions).toHaveLength(logins + 1);
    expect(new Set(sessions.map((s: { id: string }) => s.id)).size).toBe(logins + 1);
  });
});
