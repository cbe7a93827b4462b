import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EcbRatesSource } from '../../src/chain/invoices/invoice.handlers.js';
import { CHAIN_INVOICE_JOB } from '../../src/chain/invoices/invoice.jobs.js';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { ManualClock } from '../../src/shared/clock.js';
import { BOOTSTRAP_ENV, login } from '../support/identity.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { rootOperator, type Tenant } from '../tier/support.js';
import { createChain, createVenueIn, link, PASSWORD } from './support.js';
import { lineRows } from './data/hand-computed.js';

/** A fake ECB on loopback, serving the files of test/chain/data at the ECB's own paths. */
async function fakeEcb(): Promise<{ url: string; hits: Record<string, number>; server: Server }> {
  const hits: Record<string, number> = {};
  const files: Record<string, [string, string]> = {
    '/stats/eurofxref/eurofxref-hist.zip': ['eurofxref-hist.zip', 'application/zip'],
    '/stats/eurofxref/eurofxref-hist.xml': ['eurofxref-hist.xml', 'text/xml'],
  };
  const server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': f[1] }).end(readFileSync(join(process.cwd(), 'test/chain/data', f[0])));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

describe('venue chains: the quarterly invoice job, rates from ECB_RATES_URL (F02.09.06, e2e)', () => {
  let t: TestApp;
  let ecb: Awaited<ReturnType<typeof fakeEcb>>;
  let A: Tenant, B: Tenant, SE: Tenant, FI: Tenant;
  const ZIP = '/stats/eurofxref/eurofxref-hist.zip';
  let tickNo = 0;
  const tick = async () => {
    await t.app.get<JobQueue>(JOB_QUEUE).enqueue(CHAIN_INVOICE_JOB, {}, { jobId: `tick-${++tickNo}` });
    await t.settle();
  };
  const streamOf = (chain: Tenant, quarter: string) =>
    t.app.get<EventStore>(EVENT_STORE).readStream(`chain-invoice-${chain.tenant_id}-${quarter}`);
  const invoices = async (chain: Tenant) => {
    const auth = (await login(t, chain.email, PASSWORD)).auth;
    const res = await t.http.get(`/chain/${chain.tenant_id}/invoices`).set(auth);
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return res.body.items as Array<Record<string, unknown>>;
  };
  const lines = (b: Record<string, unknown>) =>
    lineRows(b.line_items as Array<Record<string, unknown>>).map(([c, _cur, ...rest]) => [c, ...rest]);

  beforeAll(async () => {
    ecb = await fakeEcb();
    t = await startTestApp({
      env: { ...BOOTSTRAP_ENV, ECB_RATES_URL: `${ecb.url}${ZIP}`, CHAIN_VENUE_PRICE_EUR_MINOR: '10000' },
      clock: new ManualClock('2026-09-20T08:00:00.000Z'),
    });
    const op = await rootOperator(t);
    A = await createChain(t, op.auth, 'JOBA');
    B = await createChain(t, op.auth, 'JOBB'); // no venues: never a batch
    SE = await createVenueIn(t, op.auth, 'Stockholm', 'SE');
    FI = await createVenueIn(t, op.auth, 'Helsinki', 'FI');
    await link(t, A, SE);
    await link(t, A, FI);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => ecb.server.close(r));
  });

  it('the XML layout at ECB_RATES_URL reads the same rates as the ZIP', async () => {
    // the app's own rates source, configured for the XML file (a second app in this process would
    // replace the first one's signing keys, so the source is built from the app's config instead)
    const xmlUrl = `${ecb.url}/stats/eurofxref/eurofxref-hist.xml`;
    const xml = new EcbRatesSource({ ...t.config, chainInvoices: { ...t.config.chainInvoices, ecbRatesFile: null, ecbRatesUrl: xmlUrl } });
    const fromXml = await xml.load();
    expect(fromXml.byCurrency.get('SEK')!.length).toBeGreaterThan(5);
    expect(fromXml).toEqual(await t.app.get(EcbRatesSource).load());
    expect(ecb.hits['/stats/eurofxref/eurofxref-hist.xml']).toBe(1);
    const missing = new EcbRatesSource({
      ...t.config,
      chainInvoices: { ...t.config.chainInvoices, ecbRatesUrl: `${ecb.url}/nothing.zip` },
    });
    await expect(missing.load()).rejects.toMatchObject({ code: 'ecb_rates_unavailable' });
  });

  it('drafts the running quarter, replaces the draft on a later day, and issues it on the first tick after the quarter, once', async () => {
    const before = ecb.hits[ZIP] ?? 0;
    await tick(); // 2026-09-20: Q3 running; Q2 had no active venue and gets no batch
    expect(ecb.hits[ZIP]).toBe(before + 1); // one fetch per run, however many chains and quarters
    let list = await invoices(A);
    expect(list.map((b) => [b.quarter, b.status, b.as_of])).toEqual([['2026-Q3', 'DRAFT', '2026-09-20']]);
    expect(await invoices(B)).toEqual([]);
    expect(await streamOf(A, '2026-Q2')).toEqual([]);

    await tick(); // the same day, nothing changed: no second draft
    expect((await streamOf(A, '2026-Q3')).map((e) => e.type)).toEqual(['ChainInvoiceDrafted']);

    t.clock.set('2026-09-29T18:00:00.000Z');
    await tick(); // a later day replaces the draft (10 active days, the fixing of 09-29)
    list = await invoices(A);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ quarter: '2026-Q3', status: 'DRAFT', as_of: '2026-09-29' });
    expect(lines(list[0]!)).toEqual([
      ['FI', 10, 1087, '1', null, 1087],
      ['SE', 10, 1087, '11.0100', '2026-09-29', 11967], // 10000*10/92 * 11.0100 = 11967.39
    ]);
    const batchId = list[0]!.batch_id;

    t.clock.set('2026-10-01T01:00:00.000Z');
    await tick(); // the first tick after the quarter: issued as of 09-30; Q4 drafted
    await tick(); // and again: nothing more
    t.clock.set('2026-10-01T02:00:00.000Z');
    await tick();
    expect((await streamOf(A, '2026-Q3')).map((e) => e.type)).toEqual(['ChainInvoiceDrafted', 'ChainInvoiceDrafted', 'ChainInvoiceIssued']);
    expect((await streamOf(A, '2026-Q4')).map((e) => e.type)).toEqual(['ChainInvoiceDrafted']);
    list = await invoices(A);
    expect(list.map((b) => [b.quarter, b.status, b.as_of])).toEqual([
      ['2026-Q4', 'DRAFT', '2026-10-01'],
      ['2026-Q3', 'ISSUED', '2026-09-30'],
    ]);
    const q3 = list[1]!;
    expect(q3.batch_id).toBe(batchId); // the draft became the batch
    expect(lines(q3)).toEqual([
      ['FI', 11, 1196, '1', null, 1196],
      ['SE', 11, 1196, '11.02745', '2026-09-30', 13185], // 10000*11/92 * 11.02745 = 13184.99
    ]);
    expect(lines(list[0]!)).toEqual([
      ['FI', 1, 109, '1', null, 109],
      ['SE', 1, 109, '11.9999', '2026-10-01', 1304],
    ]);
    expect(await invoices(B)).toEqual([]);
  });

  it('the job is scheduled once, as a repeatable job of the queue', async () => {
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    expect(queue.kind).toBe('embedded');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(t.dataDir, 'queue.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT key, every_ms FROM job_schedules WHERE key = ?').all(CHAIN_INVOICE_JOB);
      expect(rows).toEqual([{ key: CHAIN_INVOICE_JOB, every_ms: 3_600_000 }]);
    } finally {
      db.close();
    }
  });
});
