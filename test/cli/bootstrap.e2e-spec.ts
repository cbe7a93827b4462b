import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from './helpers/run-cli.js';
import { startTestApp } from '../support/test-app.js';

describe('npm run cli -- bootstrap', () => {
  let dataDir: string;
  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'plq-bootstrap-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const args = [
    'bootstrap',
    '--tenant-name',
    'Svenska Boulefederationen',
    '--tenant-type',
    'FEDERATION',
    '--admin-email',
    'Root@Federation.test',
    '--admin-password',
    'a long admin password',
  ];

  it('creates the tenant and admin once, prints the same ids again, and the admin can log in', async () => {
    const first = runCli(dataDir, args);
    expect(first.code).toBe(0);
    const ids = JSON.parse(first.stdout.trim());
    expect(ids).toEqual({ tenant_id: expect.stringMatching(/^[0-9a-f-]{36}$/), user_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const events = runCli(dataDir, ['projections:status', '--json']);
    const second = runCli(dataDir, args);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout.trim())).toEqual(ids);
    // nothing new was appended by the second run
    expect(runCli(dataDir, ['projections:status', '--json']).stdout).toBe(events.stdout);

    const t = await startTestApp({ dataDir });
    try {
      const login = await t.http.post('/auth/login').send({ email: 'root@federation.test', password: 'a long admin password' }).expect(200);
      const me = await t.http.get('/me').set('Authorization', `Bearer ${login.body.access_token}`).expect(200);
      expect(me.body).toMatchObject({
        tenant: { id: ids.tenant_id, tenant_type: 'FEDERATION' },
        roles: ['tenant_admin'],
        user: { id: ids.user_id, sys_roles: ['finance', 'security', 'support'] },
      });
    } finally {
      await t.close();
    }
  });

  it('refuses bad arguments with usage (exit 2)', () => {
    const r = runCli(dataDir, [
      'bootstrap',
      '--tenant-name',
      'x',
      '--tenant-type',
      'NOPE',
      '--admin-email',
      'a@b.se',
      '--admin-password',
      'a long admin password',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tenant-type/);
  });
});
