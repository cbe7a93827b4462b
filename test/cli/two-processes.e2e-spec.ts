import Database from 'better-sqlite3';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli } from './helpers/run-cli.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from './helpers/server-process.js';
import { ADMIN, adminLogin, login, UA } from '../support/identity.js';
import { dropSchema, freshSchema, PG_URL, pgQuery } from '../support/postgres.js';
import { startSmtp } from '../support/smtp.js';
import { codeOf, FakeElks } from '../sms-email/support.js';

/**
 * Two real server processes (`node dist/src/main.js`) on one set of stores: one SQLite data
 * directory, or one PostgreSQL schema (+ Redis for the job queue, and the keys in configuration,
 * as two hosts would have them). Both serve requests; a session revoked through one is refused by
 * the other on the very next request; every security e-mail goes out once; SIGKILL of one process
 * under write load loses nothing it acknowledged, and the read models equal a rebuild.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REDIS_URL = process.env.REDIS_URL || null;

interface Profile {
  /** Env of the i-th process. */
  env(i: number): Record<string, string>;
  /** Every document of every read model (not the snapshot cache), by collection, sorted by id. */
  dump(): Promise<Record<string, Array<{ id: string; doc: unknown }>>>;
  cleanup(): Promise<void>;
}

function sqliteProfile(): Profile {
  const dir = mkdtempSync(join(tmpdir(), 'plq-two-'));
  return {
    env: () => ({ DATA_DIR: dir }),
    async dump() {
      const db = new Database(join(dir, 'read.sqlite'), { readonly: true });
      try {
        const tables = db
          .prepare<[], { name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm\\_%' ESCAPE '\\' ORDER BY name",
          )
          .all()
          .map((r) => r.name)
          .filter((n) => n !== 'rm_aggregate_snapshots');
        return Object.fromEntries(
          tables.map((t) => [
            t,
            db
              .prepare<[], { id: string; doc: string }>(`SELECT id, doc FROM ${t} ORDER BY id`)
              .all()
              .map((r) => ({ id: r.id, doc: JSON.parse(r.doc) })),
          ]),
        );
      } finally {
        db.close();
      }
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresProfile(url: string, redisUrl: string): Profile {
  const schema = freshSchema('two');
  const dirs = [mkdtempSync(join(tmpdir(), 'plq-two-a-')), mkdtempSync(join(tmpdir(), 'plq-two-b-'))];
  // what two hosts share: the stores and the keys, never a data directory
  const shared = {
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `two-${randomUUID().slice(0, 8)}`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HMAC_SECRET: randomBytes(32).toString('base64'),
    JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
  return {
    env: (i) => ({ ...shared, DATA_DIR: dirs[i]! }),
    async dump() {
      const tables = (
        await pgQuery<{ table_name: string }>(
          url,
          schema,
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'rm\\_%' ORDER BY table_name",
          [schema],
        )
      )
        .map((r) => r.table_name)
        .filter((n) => n !== 'rm_aggregate_snapshots');
      const out: Record<string, Array<{ id: string; doc: unknown }>> = {};
      for (const t of tables)
        out[t] = await pgQuery<{ id: string; doc: unknown }>(url, schema, `SELECT id, doc FROM ${t} ORDER BY id COLLATE "C"`);
      return out;
    },
    async cleanup() {
      await dropSchema(url, schema);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Until every projection of the store has caught up with the log (asked through one process). */
async function caughtUp(s: ServerProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const h = await s.t.http.get('/health');
    if (h.status === 200 && h.body.max_lag === 0) return;
    await sleep(100);
  }
  throw new Error('projections did not catch up');
}

const addMember = (s: ServerProcess, admin: { auth: Record<string, string>; tenant_id: string }, email: string) =>
  s.t.http
    .post(`/tenants/${admin.tenant_id}/members`)
    .set(admin.auth)
    .send({ email, display_name: email.split('@')[0], roles: ['member'], password: 'a long enough password 123' });

const profiles: Array<[string, () => Profile]> = [['one SQLite data directory', sqliteProfile]];
if (PG_URL && REDIS_URL) profiles.push(['one PostgreSQL schema (+ Redis queue)', () => postgresProfile(PG_URL!, REDIS_URL!)]);

describe.each(profiles)('two app processes on %s', (_name, makeProfile) => {
  let profile: Profile;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let elks: FakeElks;
  const servers: ServerProcess[] = [];
  const start = async (i: number) => {
    const s = await startServerProcess({
      ...profile.env(i),
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      ELKS_BASE_URL: elks.url,
      ELKS_USERNAME: 'elks-user',
      ELKS_PASSWORD: 'elks-pass',
    });
    servers.push(s);
    return s;
  };
  beforeAll(async () => {
    ensureBuilt('dist/src/main.js');
    profile = makeProfile();
    smtp = await startSmtp();
    elks = new FakeElks();
    await elks.start();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map(stopServerProcess));
    await smtp?.close();
    await elks?.close();
    await profile?.cleanup();
  });

  it('both serve; a revocation through one is refused by the other on the next request; each security e-mail once', async () => {
    const a = await start(0);
    const b = await start(1); // after the first: both would bootstrap the same tenant otherwise
    const admin = await adminLogin(a.t);
    expect((await addMember(a, admin, 'ann@club.test')).status).toBe(202);
    expect((await addMember(b, admin, 'bob@club.test')).status).toBe(202);
    // B refuses a second add of ann that A made: it sees A's account
    const again = await addMember(b, admin, 'ann@club.test');
    expect([again.status, again.body.error_code]).toEqual([409, 'member_exists']);

    const ann1 = await login(b.t, 'ann@club.test', 'a long enough password 123', { ua: UA.firefoxWindows }); // new device: mail
    const ann2 = await login(a.t, 'ann@club.test', 'a long enough password 123', { ua: UA.firefoxWindows }); // seen through B: no mail
    await b.t.http.get('/me').set(ann1.auth).expect(200);
    await a.t.http.delete(`/auth/sessions/${ann1.session_id}`).set(ann2.auth).expect(204); // session_revoked mail
    const refused = await b.t.http.get('/me').set(ann1.auth);
    expect([refused.status, refused.body.error_code]).toEqual([401, 'session_revoked']);
    await b.t.http.get('/me').set(ann2.auth).expect(200); // the other session of ann lives on

    const bob = await login(a.t, 'bob@club.test', 'a long enough password 123', { ua: UA.safariIphone }); // new device: mail
    const rotated = (
      await b.t.http.post('/auth/refresh').set('User-Agent', UA.safariIphone).send({ refresh_token: bob.refresh_token }).expect(200)
    ).body;
    // the rotated token again, through the other process and from another browser: reuse (mail), family revoked
    const reuse = await a.t.http.post('/auth/refresh').set('User-Agent', UA.chromeMac).send({ refresh_token: bob.refresh_token });
    expect([reuse.status, reuse.body.error_code]).toEqual([401, 'refresh_token_reused']);
    const gone = await b.t.http.get('/me').set({ Authorization: `Bearer ${rotated.access_token}` });
    expect([gone.status, gone.body.error_code]).toEqual([401, 'session_revoked']);

    // SMS: a number enrolled through one process is confirmed through the other; one SMS each
    const sms: Array<[ServerProcess, ServerProcess, string, string]> = [
      [a, b, 'ann@club.test', '+46701739311'],
      [b, a, 'bob@club.test', '+46701739322'],
    ];
    for (const [via, confirmVia, email, phone] of sms) {
      const l = await login(via.t, email, 'a long enough password 123', {
        ua: email.startsWith('ann') ? UA.firefoxWindows : UA.safariIphone,
      });
      await via.t.http.post('/auth/mfa/sms/enroll').set(l.auth).send({ phone }).expect(200);
      for (let i = 0; i < 600 && elks.delivered(phone).length === 0; i++) await sleep(50);
      const code = codeOf(elks.delivered(phone)[0]!.fields.message!);
      const ok = await confirmVia.t.http.post('/auth/mfa/sms/enroll/confirm').set(l.auth).send({ code });
      expect([ok.status, ok.body.enrolled]).toEqual([200, true]);
    }

    const expected: Record<string, string[]> = {
      'ann@club.test': ['mfa_enrolled', 'new_login', 'session_revoked'],
      'bob@club.test': ['mfa_enrolled', 'new_login', 'refresh_token_reuse_detected'],
    };
    const mailOf = (to: string) =>
      smtp.messages
        .filter((m) => m.to.includes(to))
        .map((m) => m.event)
        .sort();
    for (let i = 0; i < 600 && Object.entries(expected).some(([to, ev]) => mailOf(to).length < ev.length); i++) await sleep(100);
    await sleep(1_500); // a duplicate from the other process would arrive meanwhile
    for (const [to, events] of Object.entries(expected)) expect(mailOf(to)).toEqual(events);
    for (const [, , , phone] of sms) expect(elks.delivered(phone)).toHaveLength(1);
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(smtp.messages.length);
    expect(smtp.messages.filter((m) => m.to.includes(ADMIN.email) && m.event === 'new_login')).toHaveLength(1);
  }, 240_000);

  it('SIGKILL of one process under write load: nothing acknowledged is lost, the read models equal a rebuild', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const admin = await adminLogin(b.t);
    const acknowledged: string[] = [];
    let killed = false;
    const emails = Array.from({ length: 24 }, (_, i) => `load${i}@club.test`);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, worker) => {
        for (let i = next++; i < emails.length; i = next++) {
          const target = (i + worker) % 2 === 0 ? a : b;
          if (killed && target === a) continue; // the load balancer has noticed
          const res = await addMember(target, admin, emails[i]!).catch(() => null); // a killed server answers nothing
          if (res?.status === 202) acknowledged.push(emails[i]!);
          if (!killed && acknowledged.length >= 6) {
            killed = true;
            a.child.kill('SIGKILL');
          }
        }
      }),
    );
    expect(killed).toBe(true);
    expect(await a.exited).toBe(null); // killed by the signal, not exited
    expect(acknowledged.length).toBeGreaterThanOrEqual(6);

    // the killed one comes back on the same stores and catches up beside the survivor
    const a2 = await start(0);
    await caughtUp(b);
    await caughtUp(a2);
    const live = await profile.dump();
    const users = new Set((live.rm_users ?? []).map((u) => (u.doc as { email: string }).email));
    for (const email of acknowledged) expect(users).toContain(email);

    await stopServerProcess(a2);
    await stopServerProcess(b);
    const env = profile.env(0);
    const res = runCli(env.DATA_DIR!, ['projections:rebuild', '--all'], env);
    expect(res.code).toBe(0);
    expect(await profile.dump()).toEqual(live);
  }, 300_000);
});
