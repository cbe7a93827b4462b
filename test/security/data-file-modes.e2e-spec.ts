import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { adminLogin, BOOTSTRAP_ENV, login, addMember } from '../support/identity.js';

/** Every path under `dir` with its permission bits (octal). */
function modes(dir: string): Array<[path: string, mode: string, isDir: boolean]> {
  const out: Array<[string, string, boolean]> = [];
  const walk = (p: string) => {
    const st = statSync(p);
    out.push([p.slice(dir.length) || '/', (st.mode & 0o777).toString(8), st.isDirectory()]);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(dir);
  return out;
}

/** The data directory holds password hashes, addresses, IPs and keys: nothing in it is readable by group or others. */
describe('data files 0600 and the data directory 0700', () => {
  let parent = '';
  let t: TestApp | null = null;
  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'plq-modes-'));
    chmodSync(parent, 0o755);
  });
  afterEach(async () => t?.close({ keepData: true }));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  async function exercise(dataDir: string) {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, DATA_DIR: dataDir }, dataDir });
    const admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'mode@club.test' }); // mail, queue jobs, events, read models
    await login(t, 'mode@club.test', m.password);
    await t.http
      .post('/auth/mfa/email/challenge')
      .set((await login(t, 'mode@club.test', m.password)).auth)
      .send({});
    await t.settle();
  }

  const expectPrivate = (dataDir: string) => {
    const all = modes(dataDir);
    const names = all.map(([p]) => p);
    // what must be there: both SQLite stores with their WAL and shm files, the queue, key files, the outbox
    for (const f of [
      '/events.sqlite',
      '/events.sqlite-wal',
      '/events.sqlite-shm',
      '/read.sqlite',
      '/read.sqlite-wal',
      '/queue.sqlite',
      '/keys',
      '/outbox',
    ])
      expect(names).toContain(f);
    expect(names.some((p) => p.startsWith('/keys/'))).toBe(true);
    expect(names.some((p) => p.startsWith('/outbox/') && p.endsWith('.eml'))).toBe(true);
    const open = all.filter(([, mode, isDir]) => mode !== (isDir ? '700' : '600'));
    expect(open).toEqual([]);
  };

  it('creates a new data directory 0700 and every file in it 0600 (SQLite incl. -wal/-shm, keys, outbox, job queue)', async () => {
    const dataDir = join(parent, 'fresh');
    await exercise(dataDir);
    expectPrivate(dataDir);
  });

  it('tightens an existing world-readable data directory and its files from an older install', async () => {
    const dataDir = join(parent, 'old');
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'keys'), 0o755);
    writeFileSync(join(dataDir, 'events.sqlite'), '', { mode: 0o644 });
    chmodSync(join(dataDir, 'events.sqlite'), 0o644);
    await exercise(dataDir);
    expectPrivate(dataDir);
  });
});
