/**
 * The real server process (dist/src/main.js, LOG_LEVEL=info) is driven through login, refresh,
 * a failed login, TOTP confirm and verify, a trusted device and a login with it, SMS enrolment, an
 * SMS challenge and its verify, a token in a query string and logout; its whole pino output
 * (stdout and stderr) is then searched for every secret and personal datum the flow handled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { ensureBuilt, ROOT } from '../cli/helpers/run-cli.js';
import { totpAt } from '../policy/helpers.js';
import { ADMIN, BOOTSTRAP_ENV, bearer, UA } from '../support/identity.js';
import { codeOf, FakeElks } from '../sms-email/support.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const PHONE = '+46701739258';
const KIM = { email: 'kim.logs@club.test', password: 'kims very own password 77' };
const SAM = { email: 'sam.logs@club.test', password: 'sams very own password 88' };

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

let server: ChildProcess;
let log = '';
let dataDir: string;
let elks: FakeElks;
let http: ReturnType<typeof request>;
/** Every secret or personal value the flow handled; none may appear in the log. */
const secrets = new Map<string, string>();
const keep = (what: string, value: string) => {
  expect(value).toBeTruthy();
  secrets.set(`${what} #${secrets.size}`, value);
  return value;
};

beforeAll(async () => {
  ensureBuilt('dist/src/main.js');
  elks = new FakeElks();
  await elks.start();
  dataDir = mkdtempSync(join(tmpdir(), 'plq-logs-'));
  const port = await freePort();
  server = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...BOOTSTRAP_ENV,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ELKS_BASE_URL: elks.url,
      ELKS_USERNAME: 'elks-user',
      ELKS_PASSWORD: 'elks-pass-secret',
      SMS_MIN_INTERVAL_SECONDS: '0',
      OTP_JOB_BACKOFF_MS: '20',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  server.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  http = request(`http://127.0.0.1:${port}`);
  for (let i = 0; ; i++) {
    if (i > 200) throw new Error(`server did not start:\n${log}`);
    if (
      await http.get('/health').then(
        (r) => r.status === 200,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  await elks?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function loginAs(who: { email: string; password: string }, deviceToken?: string) {
  let req = http.post('/auth/login').set('User-Agent', UA.chromeMac);
  if (deviceToken) req = req.set('X-Device-Token', deviceToken);
  const res = await req.send(who).expect(200);
  keep('access token', res.body.access_token);
  keep('refresh token', res.body.refresh_token);
  keep('refresh secret', res.body.refresh_token.split('.')[1]);
  return bearer(res.body.access_token);
}

async function smsCode(n: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const r = elks.delivered(PHONE)[n - 1];
    if (r) return keep('sms code', codeOf(r.fields.message!));
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('no SMS reached the fake 46elks');
}

it('logs every request of a login / refresh / TOTP / trusted device / SMS flow without a token, code, phone or e-mail', async () => {
  for (const v of [
    ADMIN.email,
    ADMIN.password,
    KIM.email,
    KIM.password,
    SAM.email,
    SAM.password,
    PHONE,
    PHONE.slice(1),
    '0701739258',
    '70-173 92 58',
  ])
    keep('given', v);

  // login, refresh, a wrong password and an unknown address
  const admin = await loginAs(ADMIN);
  const refresh = [...secrets.values()].find((s) => /^[0-9a-f-]{36}\./.test(s))!;
  const refreshed = await http.post('/auth/refresh').send({ refresh_token: refresh }).expect(200);
  keep('access token', refreshed.body.access_token);
  keep('refresh token', refreshed.body.refresh_token);
  await http.post('/auth/login').send({ email: ADMIN.email, password: 'wrong password for the log' }).expect(401);
  await http.post('/auth/login').send({ email: 'nobody.logs@nowhere.test', password: 'x' }).expect(401);
  keep('given', 'nobody.logs@nowhere.test');

  const tenantId = (await http.get('/me').set(admin).expect(200)).body.tenant.id;
  for (const who of [KIM, SAM]) {
    const r = await http
      .post(`/tenants/${tenantId}/members`)
      .set(admin)
      .send({ ...who, display_name: 'Logged Person', roles: ['member'] });
    expect([201, 202]).toContain(r.status);
  }

  // TOTP: enrol, confirm, verify (the next time step, the current one was used by confirm)
  const kim = await loginAs(KIM);
  const enrol = await http.post('/auth/mfa/totp/enroll').set(kim).send({}).expect(200);
  const totpSecret = keep('totp secret', enrol.body.secret);
  if (enrol.body.otpauth_url) keep('otpauth url', enrol.body.otpauth_url);
  const confirmCode = keep('totp code', totpAt(totpSecret, new Date()));
  const confirmed = await http.post('/auth/mfa/totp/confirm').set(kim).send({ code: confirmCode }).expect(200);
  for (const c of confirmed.body.recovery_codes ?? []) keep('recovery code', c);
  const verifyCode = keep('totp code', totpAt(totpSecret, new Date(Date.now() + 30_000)));
  const verified = await http.post('/auth/mfa/totp/verify').set(kim).send({ code: verifyCode }).expect(200);
  const fresh = bearer(keep('access token', verified.body.access_token));
  await http.post('/auth/mfa/totp/verify').set(fresh).send({ code: '000000' }); // a wrong one too

  // a trusted device, and a login with it
  const device = await http
    .post('/auth/mfa/trusted-devices')
    .set(fresh)
    .set('User-Agent', UA.chromeMac)
    .send({ name: 'Laptop' })
    .expect(201);
  const deviceToken = keep('device token', device.body.device_token);
  const trusted = await loginAs(KIM, deviceToken);
  expect((await http.get('/me').set(trusted).expect(200)).body.amr).toContain('trusted_device');
  await http.get('/auth/mfa/trusted-devices/check').set(trusted).set('X-Device-Token', deviceToken).expect(200);

  // SMS: enrol and confirm, then a challenge and its verify
  const sam = await loginAs(SAM);
  await http.post('/auth/mfa/sms/enroll').set(sam).send({ phone: '+46 70-173 92 58' }).expect(200);
  const smsConfirmed = await http
    .post('/auth/mfa/sms/enroll/confirm')
    .set(sam)
    .send({ code: await smsCode(1) })
    .expect(200);
  if (smsConfirmed.body.access_token) keep('access token', smsConfirmed.body.access_token);
  const challenge = await http.post('/auth/mfa/sms/challenge').set(sam).send({}).expect(200);
  const smsVerified = await http
    .post('/auth/mfa/sms/verify')
    .set(sam)
    .send({ challenge_id: challenge.body.challenge_id, code: await smsCode(2) });
  expect(smsVerified.status).toBe(200);
  keep('access token', smsVerified.body.access_token);

  // a client that puts its token in a link, then logs out
  await http.get(`/me?access_token=${refreshed.body.access_token}`);
  await http.post('/auth/logout').set(bearer(refreshed.body.access_token)).expect(204);

  await new Promise((r) => setTimeout(r, 300)); // let pino flush
  const lines = log.split('\n').filter(Boolean);
  const entries = lines.map((l) => {
    try {
      return JSON.parse(l) as { req?: { url?: string; method?: string } };
    } catch {
      return { raw: l };
    }
  });
  // the capture is real: one request line at least for each step of the flow
  const urls = entries.map((e) => ('req' in e && e.req?.url) || '');
  for (const path of [
    '/auth/login',
    '/auth/refresh',
    '/auth/mfa/totp/confirm',
    '/auth/mfa/totp/verify',
    '/auth/mfa/trusted-devices',
    '/auth/mfa/sms/challenge',
    '/auth/mfa/sms/verify',
    '/auth/logout',
  ])
    expect(urls.filter((u) => u.startsWith(path)).length).toBeGreaterThan(0);
  expect(entries.filter((e) => 'raw' in e)).toEqual([]); // nothing but pino's JSON lines
  // each request line says what happened: method, status, time and ids
  expect(entries.find((e) => 'req' in e && e.req?.url === '/auth/login')).toMatchObject({
    msg: 'request completed',
    req: { id: expect.any(Number), method: 'POST' },
    res: { statusCode: 200 },
    responseTime: expect.any(Number),
    correlation_id: expect.any(String),
  });

  const leaks = [...secrets].filter(([, v]) => (/^\d{6}$/.test(v) ? new RegExp(`(^|\\D)${v}(\\D|$)`).test(log) : log.includes(v)));
  expect(leaks.map(([what]) => what)).toEqual([]);
  expect(log.match(EMAIL)?.[0] ?? null).toBeNull();
}, 120_000);
