import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli, runCliAsync } from './helpers/run-cli.js';
import { pendingSignals, startServerProcess, stopServerProcess, type ServerProcess } from './helpers/server-process.js';
import { ADMIN, login, UA } from '../support/identity.js';

/**
 * A server process that holds a large WAL on its SQLite files while other processes (the CLI
 * here; a second server or the benchmark's seeding elsewhere) open the same files, write and
 * read. SQLite's multi-process safety rests on POSIX advisory locks on the `-shm` file, the
 * first of them a shared lock every connection keeps for its whole life: a process that finds
 * none takes itself for the first and reinitialises the wal-index under the others' mappings.
 * Closing any descriptor of that file in the server process drops all of its locks
 * (sqlite.org/howtocorrupt.html §2.2); that is how a background checkpointer that read the
 * `-shm` header with `fs` made the server spin on SIGBUS once the CLI opened the files. The
 * test does what that took: a big WAL, a server busy writing, other processes coming and going.
 *
 * The WAL is made large without touching the app's settings: connections autocheckpoint at
 * SQLite's default of 1,000 pages, so a reader in this process holds a snapshot while the server
 * appends, which keeps any checkpoint from passing it and the WAL from restarting. It lets go
 * before the CLI runs (a connection of its own would keep the wal-index alive for the server).
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PASSWORD = 'a long enough password 123';
const WAL_FRAME = 24 + 4096; // frame header + one page (SQLite's default page size)
/** More frames than the first wal-index region indexes (4,062), so the server maps more than one. */
const LARGE_WAL_FRAMES = 5_000;

interface Chain {
  session_id: string;
  refresh_token: string;
  rotations: number;
}

describe('a second process on the SQLite files of a server that holds a large WAL', () => {
  let dir: string;
  let a: ServerProcess;
  let base: string;

  beforeAll(async () => {
    ensureBuilt('dist/src/main.js');
    ensureBuilt('dist/src/cli/main.js');
    dir = mkdtempSync(join(tmpdir(), 'plq-wal-'));
    a = await startServerProcess({ DATA_DIR: dir });
    base = a.t.url;
  }, 120_000);
  afterAll(async () => {
    if (a) await stopServerProcess(a);
    rmSync(dir, { recursive: true, force: true });
  });

  const alive = () => a.child.exitCode === null && a.child.signalCode === null;
  /** One refresh through the server; a server that stopped answering fails the test, not the jest timeout. */
  const refresh = async (c: Chain) => {
    const res = await fetch(`${base}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': UA.firefoxWindows },
      body: JSON.stringify({ refresh_token: c.refresh_token }),
      signal: AbortSignal.timeout(20_000),
    }).catch((err: Error) => {
      const pending = pendingSignals(a.child.pid).join(' ') || 'none';
      throw new Error(
        `the server stopped answering (${err.name}; alive: ${alive()}; signals pending: ${pending}; stderr: ${a.stderr().slice(-2000)})`,
      );
    });
    const body = (await res.json()) as { refresh_token?: string; error_code?: string };
    if (res.status !== 200) throw new Error(`refresh answered ${res.status} ${JSON.stringify(body)}`);
    c.refresh_token = body.refresh_token!;
    c.rotations++;
  };
  const walFrames = () => Math.floor((statSync(join(dir, 'events.sqlite-wal')).size - 32) / WAL_FRAME);

  it('the server keeps answering and both sides see each other’s events while the CLI writes and reads beside it', async () => {
    // the bootstrap admin's sessions: each a chain of refreshes, every one an append
    const chains: Chain[] = [];
    for (let i = 0; i < 4; i++) {
      const l = await login(a.t, ADMIN.email, ADMIN.password, { ua: UA.firefoxWindows });
      chains.push({ session_id: l.session_id, refresh_token: l.refresh_token, rotations: 0 });
    }

    // 1. a large WAL: appends while a reader here holds its snapshot, so nothing is checkpointed past it
    const pin = new Database(join(dir, 'events.sqlite'), { readonly: true });
    pin.exec('BEGIN');
    pin.prepare('SELECT COUNT(*) FROM events').get();
    try {
      await Promise.all(
        chains.map(async (c) => {
          while (walFrames() < LARGE_WAL_FRAMES) await refresh(c);
        }),
      );
    } finally {
      pin.exec('COMMIT');
      pin.close();
    }
    expect(walFrames()).toBeGreaterThanOrEqual(LARGE_WAL_FRAMES);

    // 2. the server goes on appending while CLI processes open the same files, write and read
    let load = true;
    const loading = Promise.all(
      chains.map(async (c) => {
        while (load) await refresh(c);
      }),
    );
    const others: Array<{ email: string; tenant_id: string; user_id: string }> = [];
    try {
      for (let i = 0; i < 3; i++) {
        const email = `second.process${i}@club.test`;
        const boot = await runCliAsync(dir, [
          'bootstrap',
          '--tenant-name',
          `Andra processen ${i}`,
          '--tenant-type',
          'CLUB',
          '--admin-email',
          email,
          '--admin-password',
          PASSWORD,
        ]);
        expect([boot.code, boot.stderr]).toEqual([0, '']);
        others.push({ email, ...(JSON.parse(boot.stdout) as { tenant_id: string; user_id: string }) });
        const read = await runCliAsync(dir, ['stream:read', `session-${chains[i]!.session_id}`, '--json']);
        expect(read.code).toBe(0);
        expect(alive()).toBe(true);
      }
    } finally {
      load = false;
      await loading;
    }
    await sleep(200);
    expect(alive()).toBe(true);

    // 3. the server sees what the CLI wrote: each administrator it bootstrapped logs in through it
    for (const o of others) {
      const l = await login(a.t, o.email, PASSWORD);
      const me = await a.t.http.get('/me').set(l.auth).expect(200);
      expect([me.body.user.id, me.body.tenant.id]).toEqual([o.user_id, o.tenant_id]);
    }
    // ... and a CLI sees every refresh the server acknowledged, and the sessions still refresh
    for (const c of chains) {
      const read = await runCliAsync(dir, ['stream:read', `session-${c.session_id}`, '--json']);
      expect(read.code).toBe(0);
      const types = (JSON.parse(read.stdout) as Array<{ type: string }>).map((e) => e.type);
      expect(types.filter((t) => t === 'RefreshTokenRotated')).toHaveLength(c.rotations);
      await refresh(c);
    }

    // 4. a clean stop, a hash chain that verifies, and files SQLite finds intact
    await stopServerProcess(a);
    // Nest closes the app on SIGTERM, then ends the process with that signal again
    expect([await a.exited, a.child.signalCode]).toEqual([null, 'SIGTERM']);
    const audit = runCli(dir, ['audit:verify']);
    expect([audit.code, audit.stderr]).toEqual([0, '']);
    for (const file of ['events.sqlite', 'read.sqlite']) {
      const db = new Database(join(dir, file), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    }
  }, 300_000);
});
