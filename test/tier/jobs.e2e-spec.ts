import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/shared/clock.js';
import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { publishedMatrixText } from '../../src/tenant-tier/tier-matrix.js';
import { AUDIT_EVERY_MS, EXPIRE_EVERY_MS, TIER_JOBS } from '../../src/tenant-tier/tier-jobs.service.js';
import { spawn } from 'node:child_process';
import { ensureBuilt, ROOT, runCli, type CliResult } from '../cli/helpers/run-cli.js';
import { BOOTSTRAP_ENV } from '../support/identity.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, grant, rootOperator } from './support.js';

function runCliAsync(dataDir: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/cli.mjs'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((r) => child.on('close', (code) => r({ code, stdout, stderr })));
}

/** A loopback "web site" serving whatever copy of the matrix the test puts there. */
function site(): Promise<{ url: string; body: { text: string }; server: Server }> {
  const body = { text: publishedMatrixText() };
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body.text));
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () =>
      r({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/tenant-tiers.json`, body, server }),
    ),
  );
}
const drifted = () => {
  const copy = JSON.parse(publishedMatrixText());
  copy.tenant_types.CLUB.excluded_subsystems = ['F02.08'];
  copy.tenant_types.INDIVIDUAL.all_access = true;
  return `${JSON.stringify(copy, null, 2)}\n`;
};

describe('tier jobs: add-on expiry and matrix drift audit, scheduled and by hand (e2e)', () => {
  let t: TestApp;
  let web: Awaited<ReturnType<typeof site>>;
  let op: Awaited<ReturnType<typeof rootOperator>>;

  beforeAll(async () => {
    ensureBuilt();
    web = await site();
    // the CLI runs on the system clock: the app's clock runs two minutes behind it, so an add-on
    // that is still live for the app has already expired for the CLI
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, TIER_MATRIX_URL: web.url }, clock: new ManualClock(Date.now() - 120_000) });
    op = await rootOperator(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
    web.server.close();
  });

  const drifts = async () => (await t.http.get('/sys/audit?type=tier_matrix_drift_detected').set(op.auth).expect(200)).body.items;

  it('both jobs are repeatable schedules of the embedded runner: every 15 minutes and every hour', () => {
    const db = new Database(join(t.dataDir, 'queue.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT key, every_ms FROM job_schedules ORDER BY key').all();
    db.close();
    expect(rows).toEqual(
      expect.arrayContaining([
        { key: TIER_JOBS.expireAddons, every_ms: EXPIRE_EVERY_MS },
        { key: TIER_JOBS.auditMatrix, every_ms: AUDIT_EVERY_MS },
      ]),
    );
  });

  it('the hourly audit: a byte-equal published copy is no drift; a changed one appends TierMatrixDriftDetected naming the types', async () => {
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    await queue.enqueue(TIER_JOBS.auditMatrix, {}, { jobId: 'audit-1' });
    await t.settle();
    expect(await drifts()).toEqual([]);

    web.body.text = drifted();
    await queue.enqueue(TIER_JOBS.auditMatrix, {}, { jobId: 'audit-2' });
    await t.settle();
    const [d] = await drifts();
    expect(d).toMatchObject({ tenant_id: null, details: { differing_types: ['CLUB', 'INDIVIDUAL'], source: web.url } });

    // one byte (a missing trailing newline) is drift too
    web.body.text = publishedMatrixText().trimEnd();
    await queue.enqueue(TIER_JOBS.auditMatrix, {}, { jobId: 'audit-3' });
    await t.settle();
    expect((await drifts())[0].details.differing_types).toEqual(['(formatting)']);
  });

  it('npm run cli -- tiers:audit-matrix: exit 0 on the repo copy, exit 1 with the differing types against a drifted TIER_MATRIX_URL', async () => {
    const ok = runCli(t.dataDir, ['tiers:audit-matrix']);
    expect([ok.code, JSON.parse(ok.stdout)]).toEqual([0, expect.objectContaining({ drift: false, differing_types: [] })]);
    web.body.text = drifted();
    // asynchronously: the fake web site lives in this process and must answer while the CLI waits
    const bad = await runCliAsync(t.dataDir, ['tiers:audit-matrix'], { TIER_MATRIX_URL: web.url });
    expect([bad.code, JSON.parse(bad.stdout)]).toEqual([
      1,
      expect.objectContaining({ drift: true, differing_types: ['CLUB', 'INDIVIDUAL'] }),
    ]);
  }, 60_000);

  it('npm run cli -- tiers:expire-addons expires what is due, once; a permanent add-on stays', async () => {
    const club = await createTenant(t, op.auth, 'CLUB');
    const timed = await grant(t, op.auth, club.tenant_id, { expires_at: new Date(t.clock.now().getTime() + 1000).toISOString() }).expect(
      201,
    );
    await grant(t, op.auth, club.tenant_id, { subsystem_id: 'F02.08' }).expect(201);
    const first = runCli(t.dataDir, ['tiers:expire-addons']);
    expect([first.code, JSON.parse(first.stdout)]).toEqual([0, { expired: 1, tenant_ids: [club.tenant_id] }]);
    const again = runCli(t.dataDir, ['tiers:expire-addons']);
    expect(JSON.parse(again.stdout)).toEqual({ expired: 0, tenant_ids: [] });
    await t.settle();
    const tier = (await t.http.get(`/sys/tenants/${club.tenant_id}/tier`).set(op.auth).expect(200)).body;
    expect(tier.addons.map((a: { subsystem_id: string }) => a.subsystem_id)).toEqual(['F02.08']);
    expect(tier.addon_history.find((a: { addon_id: string }) => a.addon_id === timed.body.addon_id).status).toBe('expired');
  }, 60_000);
});
