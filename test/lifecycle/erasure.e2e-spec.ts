import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { codeOf, eventually, outboxFiles } from '../sms-email/support.js';
import { ensureBuilt, runCli as runCliIn } from '../cli/helpers/run-cli.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';
import { filesContaining, registerPasskey, stepUp, withTotp } from './support.js';

// distinctive plaintext, so a grep of the data directory cannot match anything else
const ERIN = { email: 'erin.shredme@erase.test', name: 'Erin Shredwell-Quist', phone: '+46701734417', passkey: 'Erins Shredkey 4417' };
const ORIGIN = 'https://app.petanque.test';
const KARL = { email: 'karl.keepme@erase.test', name: 'Karl Keepsake-Lind' };

const plaintextOf = (dir: string, who: Record<string, string>) =>
  Object.values(who).flatMap((v) => filesContaining(dir, v).map((f) => `${v} in ${f.slice(dir.length)}`));

describe('GDPR erasure by crypto-shredding (issue 16 item 5)', () => {
  let t: TestApp;
  let tenant: string;
  let totp: string;
  let erin: { user_id: string; password: string };
  let karl: { user_id: string; password: string };
  let erinSession: { Authorization: string };

  beforeAll(async () => {
    ensureBuilt();
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, WEBAUTHN_RP_ID: 'petanque.test', WEBAUTHN_ORIGINS: ORIGIN } });
    const admin = await adminLogin(t);
    tenant = admin.tenant_id;
    const m = await withTotp(t, admin);
    totp = m.secret;
    erin = await addMember(t, { auth: m.fresh, tenant_id: tenant }, { email: ERIN.email, display_name: ERIN.name });
    karl = await addMember(t, { auth: m.fresh, tenant_id: tenant }, { email: KARL.email, display_name: KARL.name });
    // Erin names a passkey (only the webauthn read model holds that name), enrols a phone (SMS to
    // the embedded outbox) and has a live session
    const s = await login(t, ERIN.email, erin.password);
    erinSession = s.auth;
    await t.http.post('/auth/mfa/sms/enroll').set(s.auth).send({ phone: ERIN.phone }).expect(200);
    const sms = await eventually(t, () => outboxFiles(t, '.sms').find((f) => f.text.includes(ERIN.phone)));
    await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(s.auth)
      .send({ code: codeOf(sms.text) })
      .expect(200);
    // a fresh SMS step-up, then the passkey
    t.clock.advance(31_000);
    const c = await t.http.post('/auth/mfa/sms/challenge').set(s.auth).send({}).expect(200);
    const sms2 = await eventually(t, () => outboxFiles(t, '.sms').find((f) => f.text.includes(ERIN.phone) && f.name !== sms.name));
    const v = await t.http
      .post('/auth/mfa/sms/verify')
      .set(s.auth)
      .send({ challenge_id: c.body.challenge_id, code: codeOf(sms2.text) })
      .expect(200);
    const fresh = { Authorization: `Bearer ${v.body.access_token}` };
    erinSession = fresh;
    await registerPasskey(t, fresh, new SoftAuthenticator(ORIGIN));
    const creds = await t.http.get('/auth/mfa/webauthn/credentials').set(fresh).expect(200);
    await t.http.patch(`/auth/mfa/webauthn/credentials/${creds.body.items[0].id}`).set(fresh).send({ name: ERIN.passkey }).expect(200);
    await login(t, KARL.email, karl.password);
    await t.settle();
  }, 240_000);
  afterAll(() => t.close());

  const operator = async () => stepUp(t, (await adminLogin(t)).auth, totp);

  it('the log never holds the plaintext, even before an erasure', async () => {
    if (t.config.databaseUrl) return; // under TEST_APP_DATABASE_URL the log is in PostgreSQL (the unit spec covers the sealing)
    const events =
      readFileSync(join(t.dataDir, 'events.sqlite')).toString('latin1') +
      readFileSync(join(t.dataDir, 'events.sqlite-wal')).toString('latin1');
    for (const v of [ERIN.email, ERIN.name, KARL.email, KARL.name]) expect(events).not.toContain(v);
    // while the read models (and the outbox) still do: the grep below is able to find them
    expect(plaintextOf(t.dataDir, ERIN).length).toBeGreaterThan(0);
  });

  it('refuses bad input and callers without the security role or a fresh second factor', async () => {
    const op = await operator();
    expectProblem(await t.http.post(`/sys/users/${erin.user_id}/erase`).set(op).send({}), 400, 'validation_failed');
    expectProblem(await t.http.post(`/sys/users/${erin.user_id}/erase`).set(op).send({ reason: 'no' }), 400, 'validation_failed');
    expectProblem(
      await t.http
        .post(`/sys/users/${erin.user_id}/erase`)
        .set(op)
        .send({ reason: 'x'.repeat(501) }),
      400,
      'validation_failed',
    );
    expectProblem(await t.http.post(`/sys/users/${erin.user_id}/erase`).set(op).send({ reason: 'ok reason', extra: 1 }), 400);
    expectProblem(await t.http.post('/sys/users/not-a-uuid/erase').set(op).send({ reason: 'art. 17 request' }), 404, 'user_not_found');
    expectProblem(
      await t.http.post('/sys/users/00000000-0000-4000-8000-000000000000/erase').set(op).send({ reason: 'art. 17 request' }),
      404,
      'user_not_found',
    );
    const me = (await t.http.get('/me').set(op).expect(200)).body.user.id as string;
    expectProblem(await t.http.post(`/sys/users/${me}/erase`).set(op).send({ reason: 'art. 17 request' }), 409, 'cannot_erase_self');

    // Karl with the sys role "support" only: not enough
    await t.http
      .put(`/sys/users/${karl.user_id}/sys-roles`)
      .set(op)
      .send({ sys_roles: ['support'] })
      .expect(200);
    const support = await login(t, KARL.email, karl.password);
    expectProblem(
      await t.http.post(`/sys/users/${erin.user_id}/erase`).set(support.auth).send({ reason: 'art. 17 request' }),
      403,
      'sys_role_required',
    );
    // a security operator without a fresh second factor
    const stale = await adminLogin(t);
    expectProblem(
      await t.http.post(`/sys/users/${erin.user_id}/erase`).set(stale.auth).send({ reason: 'art. 17 request' }),
      403,
      'mfa_step_up_required',
    );
    // nothing was erased by any of these
    const list = await t.http.get(`/tenants/${tenant}/members`).set(op).expect(200);
    expect(JSON.stringify(list.body)).toContain(ERIN.name);
  });

  it('after erase: no plaintext of that person anywhere under DATA_DIR; sessions revoked; the other person untouched', async () => {
    const op = await operator();
    const res = await t.http.post(`/sys/users/${erin.user_id}/erase`).set(op).send({ reason: 'GDPR art. 17 request #4711' }).expect(200);
    expect(res.body).toMatchObject({ erased: true, revoked_sessions: 1 });
    expectProblem(await t.http.get('/me').set(erinSession), 401, 'session_revoked');
    expectProblem(await t.http.post('/auth/login').send({ email: ERIN.email, password: erin.password }), 403, 'account_deactivated');
    expectProblem(await t.http.post(`/sys/users/${erin.user_id}/reactivate`).set(op).send({}), 409, 'user_erased');
    await t.settle();

    expect(plaintextOf(t.dataDir, ERIN)).toEqual([]);
    if (t.config.databaseUrl) {
      // PostgreSQL: no read-model row and no event row holds her plaintext either; Karl's are there
      const { pgQuery } = await import('../support/postgres.js');
      const url = t.config.databaseUrl;
      const schema = t.config.databaseSchema;
      const tables = await pgQuery<{ t: string }>(
        url,
        schema,
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      const rowsWith = async (v: string) => {
        let n = 0;
        for (const { t: table } of tables) {
          const r = await pgQuery<{ n: string }>(url, schema, `SELECT count(*) AS n FROM ${table} x WHERE x::text LIKE $1`, [`%${v}%`]);
          n += Number(r[0]!.n);
        }
        return n;
      };
      for (const v of Object.values(ERIN)) expect(await rowsWith(v)).toBe(0);
      expect(await rowsWith(KARL.email)).toBeGreaterThan(0);
    }
    // the grep does find the other person, whose data stays readable
    expect(filesContaining(t.dataDir, KARL.email).length).toBeGreaterThan(0);
    const list = await t.http.get(`/tenants/${tenant}/members`).set(op).expect(200);
    const text = JSON.stringify(list.body);
    expect(text).toContain(KARL.name);
    expect(text).toContain('[erased]');
    expect(text).not.toContain(ERIN.name);
    const kept = await login(t, KARL.email, karl.password);
    expect((await t.http.get('/me').set(kept.auth).expect(200)).body.user).toMatchObject({ email: KARL.email, display_name: KARL.name });
  });

  it('in the process that sealed and opened her values (its memo of them): her aggregate and a rebuilt read model read "[erased]", Karl\'s do not', async () => {
    const events = t.app.get<EventStore>(EVENT_STORE, { strict: false });
    const hers = await events.readStream(`user-${erin.user_id}`);
    expect(hers.find((e) => e.type === 'UserRegistered')!.data).toMatchObject({ email: '[erased]', display_name: '[erased]' });
    for (const v of Object.values(ERIN)) expect(JSON.stringify(hers)).not.toContain(v);
    const his = await events.readStream(`user-${karl.user_id}`);
    expect(his.find((e) => e.type === 'UserRegistered')!.data).toMatchObject({ email: KARL.email, display_name: KARL.name });

    const engine = t.app.get(ProjectionEngine, { strict: false });
    for (const name of ['users', 'webauthn_credentials']) await engine.rebuild(name);
    await t.settle();
    const op = await operator();
    const list = JSON.stringify((await t.http.get(`/tenants/${tenant}/members`).set(op).expect(200)).body);
    expect(list).toContain(KARL.name);
    expect(list).not.toContain(ERIN.name);
    expect(list).not.toContain(ERIN.email);
    expect(plaintextOf(t.dataDir, ERIN)).toEqual([]);
  });

  it('stream:read shows erased fields, audit:verify holds, a full rebuild keeps them erased', async () => {
    // under TEST_APP_DATABASE_URL the app's stores are PostgreSQL: the CLI is pointed at the same schema
    const env: Record<string, string> = t.config.databaseUrl
      ? { DATABASE_URL: t.config.databaseUrl, DATABASE_SCHEMA: t.config.databaseSchema }
      : {};
    const runCli = (dir: string, args: string[]) => runCliIn(dir, args, env);
    await t.close({ keepData: true });
    const read = runCli(t.dataDir, ['stream:read', `user-${erin.user_id}`, '--json']);
    expect(read.code).toBe(0);
    const events = JSON.parse(read.stdout) as Array<{ type: string; occurred_at: string; data: Record<string, unknown> }>;
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['UserRegistered', 'MembershipGranted', 'PersonalDataErased']));
    expect(events.every((e) => typeof e.occurred_at === 'string')).toBe(true);
    expect(events.find((e) => e.type === 'UserRegistered')!.data).toMatchObject({ email: '[erased]', display_name: '[erased]' });
    expect(read.stdout).not.toContain(ERIN.email);
    expect(read.stdout).not.toContain('pd1.');
    const other = runCli(t.dataDir, ['stream:read', `user-${karl.user_id}`, '--json']);
    expect(JSON.parse(other.stdout)[0].data).toMatchObject({ email: KARL.email, display_name: KARL.name });

    const audit = runCli(t.dataDir, ['audit:verify']);
    expect(audit.stdout).toMatch(/audit:verify OK/);
    expect(audit.code).toBe(0);

    const rebuild = runCli(t.dataDir, ['projections:rebuild', '--all']);
    expect(rebuild.code).toBe(0);
    expect(plaintextOf(t.dataDir, ERIN)).toEqual([]);

    t = await startTestApp({
      env: { ...BOOTSTRAP_ENV, WEBAUTHN_RP_ID: 'petanque.test', WEBAUTHN_ORIGINS: ORIGIN },
      dataDir: t.dataDir,
      clock: t.clock,
    });
    const op = await operator();
    const list = JSON.stringify((await t.http.get(`/tenants/${tenant}/members`).set(op).expect(200)).body);
    expect(list).toContain(KARL.name);
    expect(list).toContain('[erased]');
    expect(list).not.toContain(ERIN.email);
  }, 240_000);
});
