import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ManualClock } from '../../src/shared/clock.js';
import { ensureBuilt, ROOT } from '../cli/helpers/run-cli.js';
import { BOOTSTRAP_ENV } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { GatedFixtureModule } from './gated.fixture.js';
import { createTenant, grant, rootOperator, type Tenant } from './support.js';

const redisUrl = process.env.REDIS_URL;
const d = redisUrl ? describe : describe.skip;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The real server (dist/src/main.js) as a second process on the same stores and the same Redis. */
async function startServerProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  ensureBuilt('dist/src/main.js');
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/health`)).ok, 'the second server');
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

d('tier cache on Redis (real Redis at REDIS_URL, unique key prefix)', () => {
  const prefix = `plq-tier-test-${randomUUID()}`;
  let redis: Redis;
  let t: TestApp;
  let second: { url: string; child: ChildProcess };
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let club: Tenant;

  beforeAll(async () => {
    redis = new Redis(redisUrl!);
    // the other process runs on the system clock: tokens must be valid for both
    t = await startTestApp({
      env: { ...BOOTSTRAP_ENV, REDIS_URL: redisUrl!, REDIS_PREFIX: prefix },
      clock: new ManualClock(Date.now()),
      extraModules: [GatedFixtureModule],
    });
    op = await rootOperator(t);
    club = await createTenant(t, op.auth, 'CLUB');
    second = await startServerProcess({ DATA_DIR: t.dataDir, REDIS_URL: redisUrl!, REDIS_PREFIX: prefix });
  }, 120_000);
  afterAll(async () => {
    if (second) await stop(second.child);
    await t?.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('the snapshot is cached under {prefix}:tenant_tier:{id} for 5 minutes, and a second read does not hit the read model', async () => {
    const key = `${prefix}:tenant_tier:${club.tenant_id}`;
    expect(await redis.exists(key)).toBe(0);
    await t.http.get('/me/tenant-tier').set(club.admin).expect(200);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(JSON.parse((await redis.get(key))!)).toMatchObject({ tenant_id: club.tenant_id, tenant_type: 'CLUB', version: 1 });

    const before = (await t.http.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    expect(before.backend).toBe('redis');
    await t.http.get('/me/tenant-tier').set(club.admin).expect(200);
    expectProblem(await t.http.get('/test/gated/chain').set(club.admin), 403, 'tenant_type_not_eligible');
    const after = (await t.http.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    expect(after.read_model_reads).toBe(before.read_model_reads);
    expect(after.hits).toBe(before.hits + 2);
  });

  it('a grant in one process is seen by the very next request to the other process (and back for a revoke)', async () => {
    const other = request(second.url);
    expect((await other.get('/me/tenant-tier').set(club.admin).expect(200)).body).toMatchObject({ version: 1, addons: [] }); // cached in Redis
    const g = await grant(t, op.auth, club.tenant_id).expect(201);
    const seen = (await other.get('/me/tenant-tier').set(club.admin).expect(200)).body;
    expect(seen).toMatchObject({ version: 2, addons: [{ subsystem_id: 'F02.09', expires_at: null }] });
    expect(seen.allowed_subsystems).toContain('F02.09');

    // the other way round: revoke through the second process, the first one refuses at once
    await t.http.get('/test/gated/chain').set(club.admin).expect(200);
    await other.delete(`/sys/tenants/${club.tenant_id}/tier/addons/${g.body.addon_id}`).set(op.auth).expect(200);
    expectProblem(await t.http.get('/test/gated/chain').set(club.admin), 403, 'tenant_type_not_eligible');
  });

  it('an older snapshot never replaces a newer one in Redis (a slow reader cannot undo a mutation)', async () => {
    const key = `${prefix}:tenant_tier:${club.tenant_id}`;
    const current = JSON.parse((await redis.get(key))!);
    expect(current.version).toBe(3);
    // what a reader that fetched version 1 before the mutations would try to write
    await t.app
      .get((await import('../../src/tenant-tier/tier-resolver.service.js')).TierResolver)
      ['cache'].put({ ...current, version: 1, addons: [] });
    expect(JSON.parse((await redis.get(key))!).version).toBe(3);
  });

  it('the repeatable jobs are BullMQ job schedulers (one tick per interval for all processes)', async () => {
    const schedulers = await redis.keys(`${prefix}:tier-*:repeat*`);
    expect(schedulers.length).toBeGreaterThanOrEqual(2);
  });
});

d('tier cache when Redis goes down (a private redis-server on another port)', () => {
  let port: number;
  let server: ChildProcess;
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let club: Tenant;

  const startRedis = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(async () => {
      const c = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    }, 'the private redis-server');
  };

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, REDIS_URL: `redis://127.0.0.1:${port}` }, extraModules: [GatedFixtureModule] });
    op = await rootOperator(t);
    club = await createTenant(t, op.auth, 'CLUB');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (server) await stop(server);
  });

  it('answers from the read model without a 5xx, counts the fallbacks, and catches up when Redis is back', async () => {
    await t.http.get('/me/tenant-tier').set(club.admin).expect(200); // cached
    await stop(server);
    const s0 = (await t.http.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;

    expect((await t.http.get('/me/tenant-tier').set(club.admin).expect(200)).body).toMatchObject({ tenant_type: 'CLUB', version: 1 });
    expectProblem(await t.http.get('/test/gated/chain').set(club.admin), 403, 'tenant_type_not_eligible');
    await grant(t, op.auth, club.tenant_id).expect(201); // the mutation itself still succeeds
    await t.http.get('/test/gated/chain').set(club.admin).expect(200); // and is seen at once
    const s1 = (await t.http.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    expect(s1.fallbacks).toBeGreaterThanOrEqual(s0.fallbacks + 3);
    expect(s1.pending_invalidations).toBe(1);

    // Redis comes back empty-handed or with the stale key: the failed invalidation is replayed
    await startRedis();
    await waitFor(
      async () => (await t.http.get('/sys/tenant-tier/cache').set(op.auth)).body.pending_invalidations === 0,
      'the replayed invalidation',
    );
    const s2 = (await t.http.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    await t.http.get('/test/gated/chain').set(club.admin).expect(200);
    const s3 = (await t.http.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    expect(s3.hits).toBe(s2.hits + 1);
    expect(s3.fallbacks).toBe(s2.fallbacks);
  }, 60_000);
});

describe('tier cache without Redis: one in-process cache per process, dropped on the other process’s tier events', () => {
  let t: TestApp;
  let second: { url: string; child: ChildProcess };
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let club: Tenant;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV, clock: new ManualClock(Date.now()), extraModules: [GatedFixtureModule] });
    op = await rootOperator(t);
    club = await createTenant(t, op.auth, 'CLUB');
    second = await startServerProcess({ DATA_DIR: t.dataDir });
  }, 120_000);
  afterAll(async () => {
    if (second) await stop(second.child);
    await t?.close();
  });

  it('a grant through one process reaches the other one’s cached snapshot long before its 5 minutes (and back for a revoke)', async () => {
    const other = request(second.url);
    expect((await other.get('/me/tenant-tier').set(club.admin).expect(200)).body).toMatchObject({ version: 1, addons: [] });
    const s0 = (await other.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    await other.get('/me/tenant-tier').set(club.admin).expect(200);
    const s1 = (await other.get('/sys/tenant-tier/cache').set(op.auth).expect(200)).body;
    expect([s1.backend, s1.hits]).toEqual(['memory', s0.hits + 1]); // the other process answers from its own cache

    const g = await grant(t, op.auth, club.tenant_id).expect(201);
    await waitFor(
      async () => (await other.get('/me/tenant-tier').set(club.admin)).body.version === 2,
      'the grant in the other process',
      15_000,
    );

    await t.http.get('/test/gated/chain').set(club.admin).expect(200); // cached here with the add-on
    await other.delete(`/sys/tenants/${club.tenant_id}/tier/addons/${g.body.addon_id}`).set(op.auth).expect(200);
    await waitFor(async () => (await t.http.get('/test/gated/chain').set(club.admin)).status === 403, 'the revoke in this process', 15_000);
    expectProblem(await t.http.get('/test/gated/chain').set(club.admin), 403, 'tenant_type_not_eligible');
  }, 60_000);
});
