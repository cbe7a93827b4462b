import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { GenerateChainInvoice } from '../../src/chain/invoices/invoice.handlers.js';
import { BOOTSTRAP_ENV, login } from '../support/identity.js';
import { ManualClock } from '../../src/shared/clock.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator, type Tenant } from '../tier/support.js';
import { createChain, createVenueIn, expectField, link, PASSWORD } from './support.js';
import { lineRows, Q3_2026_LINES } from './data/hand-computed.js';

describe('venue chains: quarterly invoices with ECB rates (F02.09.06, e2e)', () => {
  let t: TestApp;
  let A: Tenant, B: Tenant, SE: Tenant, NO: Tenant, DK: Tenant, FI: Tenant, club: Tenant, finance: Tenant, support: Tenant;
  const auth = async (x: Tenant) => (await login(t, x.email, PASSWORD)).auth;
  const generate = async (chain: Tenant, quarter: string) => {
    const r = await t.app.get(CommandBus).execute(new GenerateChainInvoice(chain.tenant_id, quarter));
    await t.settle();
    return r;
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...BOOTSTRAP_ENV,
        ECB_RATES_FILE: join(process.cwd(), 'test/chain/data/eurofxref-hist.csv'),
        CHAIN_VENUE_PRICE_EUR_MINOR: '10000',
      },
      clock: new ManualClock('2026-06-15T08:00:00.000Z'),
    });
    const op = await rootOperator(t);
    A = await createChain(t, op.auth, 'INVA');
    B = await createChain(t, op.auth, 'INVB');
    SE = await createVenueIn(t, op.auth, 'Stockholm', 'SE');
    NO = await createVenueIn(t, op.auth, 'Oslo', 'NO');
    DK = await createVenueIn(t, op.auth, 'Copenhagen', 'DK');
    FI = await createVenueIn(t, op.auth, 'Helsinki', 'FI');
    club = await createTenant(t, op.auth, 'CLUB', 'club');
    for (const v of [SE, NO, FI]) await link(t, A, v);
    // operators with one sys role each (set by the root operator with a fresh second factor)
    finance = await createTenant(t, op.fresh, 'SANDBOX', 'finance ops');
    support = await createTenant(t, op.fresh, 'SANDBOX', 'support ops');
    await t.http
      .put(`/sys/users/${finance.admin_id}/sys-roles`)
      .set(op.fresh)
      .send({ sys_roles: ['finance'] })
      .expect(200);
    await t.http
      .put(`/sys/users/${support.admin_id}/sys-roles`)
      .set(op.fresh)
      .send({ sys_roles: ['support'] })
      .expect(200);
  });
  afterAll(() => t.close());

  it('the running quarter is a DRAFT up to today; after the quarter the first run issues it, once; amounts as computed by hand', async () => {
    t.clock.set('2026-08-01T12:00:00.000Z');
    A.admin = await auth(A);
    DK.admin = await auth(DK);
    await link(t, A, DK); // joins mid-quarter: 61 of 92 days
    t.clock.set('2026-08-15T10:00:00.000Z');
    const draft = await generate(A, '2026-Q3');
    expect(draft.status).toBe('DRAFT');
    A.admin = await auth(A);
    let list = (await t.http.get(`/chain/${A.tenant_id}/invoices`).set(A.admin).expect(200)).body.items;
    expect(list).toEqual([expect.objectContaining({ quarter: '2026-Q3', status: 'DRAFT', as_of: '2026-08-15' })]);

    t.clock.set('2026-09-10T09:00:00.000Z');
    A.admin = await auth(A);
    await t.http.delete(`/chain/${A.tenant_id}/venues/${NO.tenant_id}`).set(A.admin).expect(200); // leaves: 71 days

    t.clock.set('2026-10-02T06:00:00.000Z');
    const issued = await generate(A, '2026-Q3');
    expect(issued.status).toBe('ISSUED');
    expect(issued.batch.batch_id).toBe(draft.batch.batch_id); // the draft became the batch
    const again = await generate(A, '2026-Q3');
    expect(again).toEqual({ position: 0, batch: issued.batch, status: 'ISSUED' }); // idempotent: nothing appended

    A.admin = await auth(A);
    const one = (await t.http.get(`/chain/${A.tenant_id}/invoices/${issued.batch.batch_id}`).set(A.admin).expect(200)).body;
    expect(one).toMatchObject({
      status: 'ISSUED',
      quarter: '2026-Q3',
      as_of: '2026-09-30',
      price_eur_minor: 10000,
      total_eur_minor: 10000 + 6630 + 7717 + 10000,
    });
    expect(lineRows(one.line_items)).toEqual(Q3_2026_LINES);
    const csv = await t.http.get(`/chain/${A.tenant_id}/invoices/${issued.batch.batch_id}?format=csv`).set(A.admin).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe(
      'batch_id,chain_id,quarter,status,as_of,country,local_currency,venue_count,active_venue_days,quarter_days,eur_amount_minor,ecb_rate_used,ecb_rate_date,local_amount_minor',
    );
    expect(rows[4]).toBe(
      `${issued.batch.batch_id},${A.tenant_id},2026-Q3,ISSUED,2026-09-30,SE,SEK,1,92,92,10000,11.02745,2026-09-30,110274`,
    );
    list = (await t.http.get(`/chain/${A.tenant_id}/invoices`).set(A.admin).expect(200)).body.items;
    expect(list.map((b: { status: string }) => b.status)).toEqual(['ISSUED']);
    // a quarter not started yet
    await expect(generate(A, '2027-Q1')).rejects.toMatchObject({ code: 'quarter_not_started' });
  });

  it('who may read: chain admins and finance operators; another chain gets 403 on the path and 404 on the batch', async () => {
    const batch = (
      await t.http
        .get(`/chain/${A.tenant_id}/invoices`)
        .set(await auth(A))
        .expect(200)
    ).body.items[0].batch_id;
    B.admin = await auth(B);
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices/${batch}`).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/${B.tenant_id}/invoices/${batch}`).set(B.admin), 404, 'invoice_not_found');
    expect((await t.http.get(`/chain/${B.tenant_id}/invoices`).set(B.admin).expect(200)).body.items).toEqual([]);
    expect(
      (
        await t.http
          .get(`/chain/${A.tenant_id}/invoices/${batch}`)
          .set(await auth(finance))
          .expect(200)
      ).body.batch_id,
    ).toBe(batch);
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices`).set(await auth(support)), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices`).set(await auth(SE)), 403, 'tenant_context_mismatch');
    club.admin = await auth(club);
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices`).set(club.admin), 403, 'tenant_type_not_eligible');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices/${batch}`).set(club.admin), 403, 'tenant_type_not_eligible');
    A.admin = await auth(A);
    expectField(await t.http.get(`/chain/${A.tenant_id}/invoices/${batch}?format=xml`).set(A.admin), 'format');
    expectProblem(await t.http.get(`/chain/${A.tenant_id}/invoices/__proto__`).set(A.admin), 404, 'invoice_not_found');
  });
});
