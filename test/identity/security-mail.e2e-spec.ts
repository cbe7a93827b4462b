import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../cli/helpers/run-cli.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import { startSmtp } from '../support/smtp.js';

function cli(dataDir: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/cli.mjs'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    child.on('exit', (code) => resolve(code));
  });
}

describe('SecurityNotificationService e-mails over real SMTP (F02.07.10)', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  beforeAll(async () => {
    ensureBuilt();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await t?.close();
    await smtp.close();
  });

  it('sends exactly one e-mail per event, in the user language; none after a restart; none during a rebuild', async () => {
    const env = { ...BOOTSTRAP_ENV, SMTP_URL: `smtp://127.0.0.1:${smtp.port}` };
    t = await startTestApp({ env });
    const admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'kassor@klubb.test', language: 'sv' });

    await login(t, 'kassor@klubb.test', m.password, { ua: UA.firefoxWindows }); // new device: mail
    const again = await login(t, 'kassor@klubb.test', m.password, { ua: UA.firefoxWindows }); // seen before: no mail
    const phone = await login(t, 'kassor@klubb.test', m.password, { ua: UA.safariIphone }); // new device: mail
    await t.http.delete(`/auth/sessions/${phone.session_id}`).set(again.auth).expect(204); // session_revoked
    const r1 = (await t.http.post('/auth/refresh').send({ refresh_token: again.refresh_token }).expect(200)).body;
    t.clock.advance(60_000);
    await t.http.post('/auth/refresh').send({ refresh_token: again.refresh_token }).expect(401); // reuse
    expect(r1.refresh_token).toBeTruthy();
    const fresh = await login(t, 'kassor@klubb.test', m.password, { ua: UA.firefoxWindows });
    await t.http
      .post('/auth/password')
      .set(fresh.auth)
      .send({ current_password: m.password, new_password: 'ett nytt långt lösenord' })
      .expect(200);
    await t.settle();

    const mine = smtp.messages.filter((x) => x.to.includes('kassor@klubb.test'));
    expect(mine.map((x) => x.event).sort()).toEqual([
      'new_login',
      'new_login',
      'password_changed',
      'refresh_token_reuse_detected',
      'session_revoked',
    ]);
    expect(new Set(mine.map((x) => x.messageId)).size).toBe(mine.length);
    expect(mine.find((x) => x.event === 'password_changed')!.subject).toMatch(/lösenord/i);
    expect(mine[0]!.raw).toMatch(/\/account\/sessions/);
    expect(mine.find((x) => x.event === 'new_login')!.raw).toMatch(/inte setts tidigare/);
    const total = smtp.messages.length;

    // restart on the same data: reactors resume from their checkpoint, nothing is re-sent
    await t.close({ keepData: true });
    t = await startTestApp({ env, dataDir: t.dataDir, clock: t.clock });
    await t.settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages).toHaveLength(total);

    // an operator rebuilds every projection from another process while the server runs: no mail
    expect(await cli(t.dataDir, ['projections:rebuild', '--all'])).toBe(0);
    await t.settle();
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages).toHaveLength(total);
    const events = (await t.http.get('/auth/security-events?limit=200').set((await adminLogin(t)).auth)).body.items;
    expect(events.length).toBeGreaterThan(0);
  });
});
