import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { ProjectionEngine } from '../../src/projections-runtime/projection-engine.js';
import { addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { rootOperator } from '../tier/support.js';
import { createChain, createVenueIn, link, PASSWORD, type Tenant } from '../chain/support.js';
import { filesContaining } from './support.js';

// distinctive plaintext, so a grep of the data directory cannot match anything else
const CORA = {
  company_name: 'Cora Shredwell Konsult',
  contact_email: 'cora.shredwell@contact.test',
  notes: 'Ring Cora Shredwell 0701998877',
};
const KENT = { company_name: 'Kent Keepsake Catering', contact_email: 'kent.keepsake@contact.test', notes: 'Kent keeps his notes' };
const KARL = 'karl.counter@login.test';
const NOBODY = 'nobody.counter@login.test';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const theLog = (t: TestApp) =>
  ['events.sqlite', 'events.sqlite-wal'].map((f) => readFileSync(join(t.dataDir, f)).toString('latin1')).join('');

/** The personal fields sealed last (issue 12): a corporate event's outside contact, and the login counter's key. */
describe('personal fields: corporate-event contacts and login-counter keys', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let chain: Tenant, other: Tenant;
  let cora: string, kent: string;
  const url = (id: string, c = chain) => `/chain/${c.tenant_id}/corporate-events/${id}`;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    op = await rootOperator(t);
    chain = await createChain(t, op.auth, 'PDATA');
    other = await createChain(t, op.auth, 'PDOTH');
    const venue = await createVenueIn(t, op.auth, 'Personal data venue', 'SE');
    await link(t, chain, venue);
    const request = async (who: typeof CORA) =>
      (
        await t.http
          .post(`/chain/${chain.tenant_id}/corporate-events`)
          .set(chain.admin)
          .send({ ...who, host_venue_tenant_id: venue.tenant_id, event_date: '2026-03-20', guests: 20 })
          .expect(201)
      ).body.corporate_event_id as string;
    cora = await request(CORA);
    kent = await request(KENT);

    await addMember(t, { auth: op.auth, tenant_id: op.tenant_id }, { email: KARL, password: PASSWORD });
    await t.http.post('/auth/login').send({ email: KARL, password: 'not the password' }).expect(401);
    t.clock.advance(2_000); // past the backoff of that failure
    await login(t, KARL, PASSWORD);
    await t.http.post('/auth/login').send({ email: NOBODY, password: 'not the password' }).expect(401);
    await t.settle();
  }, 120_000);
  afterAll(() => t.close());

  it('the log holds neither the contact fields nor the plain SHA-256 of a login address; the app reads them as before', async () => {
    if (t.config.databaseUrl) return; // the log is in PostgreSQL there (the unit spec covers the sealing)
    const log = theLog(t);
    for (const v of [...Object.values(CORA), ...Object.values(KENT), sha256(KARL), sha256(NOBODY)]) expect(log).not.toContain(v);
    const read = (await t.http.get(url(cora)).set(chain.admin).expect(200)).body;
    expect(read).toMatchObject(CORA);

    const events = t.app.get<EventStore>(EVENT_STORE, { strict: false });
    const counter = await events.readStream(`bruteforce-login-${sha256(KARL)}`);
    expect(counter.map((e) => e.type)).toEqual(['AttemptClaimed', 'AttemptFailed', 'AttemptClaimed', 'AttemptSucceeded']);
    for (const e of counter)
      expect(e.data).toMatchObject({ key: expect.stringMatching(/^hk1\.[0-9a-f]{64}$/), scope: 'login', user_id: expect.any(String) });
    expect(new Set(counter.map((e) => e.data.key)).size).toBe(1); // still one counter key, compared as before
    const nobody = await events.readStream(`bruteforce-login-${sha256(NOBODY)}`);
    expect(nobody[0]!.data).toMatchObject({ key: expect.stringMatching(/^hk1\./), user_id: null });
    expect(nobody[0]!.data.key).not.toBe(counter[0]!.data.key);
  });

  it('erasing a contact: refused without the security role, a fresh second factor or a corporate event', async () => {
    const erase = (id: string, auth: { Authorization: string }, body: object = { reason: 'GDPR art. 17 request' }) =>
      t.http.post(`/sys/corporate-events/${id}/erase-contact`).set(auth).send(body);
    expectProblem(await erase(cora, op.auth), 403, 'mfa_step_up_required');
    expectProblem(await erase(cora, chain.admin), 403, 'sys_role_required');
    expectProblem(await erase(cora, op.fresh, {}), 400, 'validation_failed');
    expectProblem(await erase('not-a-uuid', op.fresh), 404, 'corporate_event_not_found');
    expectProblem(await erase('00000000-0000-4000-8000-000000000000', op.fresh), 404, 'corporate_event_not_found');
    expect((await t.http.get(url(cora)).set(chain.admin).expect(200)).body).toMatchObject(CORA);
  });

  it('after erase-contact: that contact reads "[erased]" (rebuilt too) and is nowhere under DATA_DIR; the other contact and chain are untouched', async () => {
    const res = await t.http
      .post(`/sys/corporate-events/${cora}/erase-contact`)
      .set(op.fresh)
      .send({ reason: 'GDPR art. 17 request' })
      .expect(200);
    expect(res.body).toMatchObject({ erased: true });
    await t.settle();
    const erased = { company_name: '[erased]', contact_email: '[erased]', notes: '[erased]' };
    expect((await t.http.get(url(cora)).set(chain.admin).expect(200)).body).toMatchObject({ ...erased, guests: 20, status: 'INQUIRY' });
    expect((await t.http.get(url(kent)).set(chain.admin).expect(200)).body).toMatchObject(KENT);
    for (const v of Object.values(CORA)) expect(filesContaining(t.dataDir, v)).toEqual([]);
    expect(filesContaining(t.dataDir, KENT.contact_email).length).toBeGreaterThan(0);
    expectProblem(await t.http.get(url(kent, other)).set(other.admin), 404); // another chain still sees nothing of it

    await t.app.get(ProjectionEngine, { strict: false }).rebuild('chain_corporate_events');
    expect((await t.http.get(url(cora)).set(chain.admin).expect(200)).body).toMatchObject(erased);
    expect((await t.http.get(url(kent)).set(chain.admin).expect(200)).body).toMatchObject(KENT);
    // on the operator audit of the chain, once, also after a repeat
    await t.http.post(`/sys/corporate-events/${cora}/erase-contact`).set(op.fresh).send({ reason: 'GDPR art. 17 request' }).expect(200);
    await t.settle();
    const audit = await t.http.get('/sys/audit').query({ type: 'corporate_event_contact_erased' }).set(op.auth).expect(200);
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        tenant_id: chain.tenant_id,
        actor_id: op.user_id,
        details: { subject: cora, reason: 'GDPR art. 17 request' },
      }),
    ]);
  });
});
