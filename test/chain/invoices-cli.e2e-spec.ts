import { join } from 'node:path';
import { ManualClock } from '../../src/shared/clock.js';
import { dropSchema } from '../support/postgres.js';
import { ensureBuilt, runCli } from '../cli/helpers/run-cli.js';
import { BOOTSTRAP_ENV, login } from '../support/identity.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { rootOperator, type Tenant } from '../tier/support.js';
import { createChain, createVenueIn, link, PASSWORD } from './support.js';

/**
 * `npm run cli -- invoices:generate` as an operator runs it: the real CLI in its own process, on
 * the system clock, against the data directory of an app that was stopped; then the app started
 * again reads what the CLI issued, and `projections:rebuild chain_invoices` gives the same.
 */
describe('venue chains: invoices:generate from the operator CLI (F02.09.06, real process)', () => {
  let t: TestApp;
  let dataDir: string;
  let A: Tenant, B: Tenant;
  const ENV = { ECB_RATES_FILE: join(process.cwd(), 'test/chain/data/eurofxref-hist.csv'), CHAIN_VENUE_PRICE_EUR_MINOR: '10000' };
  const clock = new ManualClock('2026-08-01T09:00:00.000Z');
  // under TEST_APP_DATABASE_URL the app's stores are PostgreSQL: the CLI is pointed at the same schema
  let storeEnv: Record<string, string> = {};
  const cli = (args: string[], env: Record<string, string> = ENV) => runCli(dataDir, args, { ...storeEnv, ...env });
  const jsonLines = (out: string) =>
    out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const restart = async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, ...ENV }, dataDir, clock });
    await t.settle();
    return (await login(t, A.email, PASSWORD)).auth;
  };

  beforeAll(async () => {
    ensureBuilt();
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, ...ENV }, clock });
    dataDir = t.dataDir;
    if (t.config.databaseUrl) storeEnv = { DATABASE_URL: t.config.databaseUrl, DATABASE_SCHEMA: t.config.databaseSchema };
    const op = await rootOperator(t);
    A = await createChain(t, op.auth, 'CLIA');
    B = await createChain(t, op.auth, 'CLIB');
    await link(t, A, await createVenueIn(t, op.auth, 'Stockholm', 'SE')); // 61 of 92 days of 2026-Q3
    await link(t, A, await createVenueIn(t, op.auth, 'Oslo', 'NO'));
    await t.settle();
    await t.close({ keepData: true });
  }, 240_000);
  afterAll(async () => {
    await t.close();
    const { rmSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
    if (storeEnv.DATABASE_URL) await dropSchema(storeEnv.DATABASE_URL, storeEnv.DATABASE_SCHEMA!);
  });

  it('issues 2026-Q3 for every chain (the CLI runs on the system clock, after that quarter), once', () => {
    expect(Date.now()).toBeGreaterThan(Date.parse('2026-10-01T00:00:00Z')); // the precondition of "finished"
    const first = cli(['invoices:generate', '--quarter', '2026-Q3']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const out = jsonLines(first.stdout);
    expect(out.find((l) => l.chain_id === A.tenant_id)).toMatchObject({
      status: 'ISSUED',
      as_of: '2026-09-30',
      total_eur_minor: 6630 + 6630,
    });
    expect(out.find((l) => l.chain_id === B.tenant_id)).toMatchObject({ status: 'ISSUED', total_eur_minor: 0 });

    const again = cli(['invoices:generate', '--quarter', '2026-Q3', '--chain', A.tenant_id]);
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout)).toEqual([out.find((l) => l.chain_id === A.tenant_id)]);
    const stream = cli(['stream:read', `chain-invoice-${A.tenant_id}-2026-Q3`, '--json']);
    expect((JSON.parse(stream.stdout) as Array<{ type: string }>).map((e) => e.type)).toEqual(['ChainInvoiceIssued']);
  });

  it('bad arguments are usage errors (exit 2); without any rates source a chain fails (exit 1)', () => {
    expect(cli(['invoices:generate', '--quarter', '2026-Q5']).code).toBe(2);
    expect(cli(['invoices:generate', '--quarter', '2026-Q2', '--chain', 'not-a-chain']).code).toBe(2);
    const none = cli(['invoices:generate', '--quarter', '2026-Q2', '--chain', A.tenant_id], { CHAIN_VENUE_PRICE_EUR_MINOR: '10000' });
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stderr.trim().split('\n').at(-1)!)).toMatchObject({ chain_id: A.tenant_id, error: 'ecb_rates_unavailable' });
  });

  it('the app reads the issued batch and its CSV; projections:rebuild chain_invoices gives the same read model', async () => {
    let auth = await restart();
    const list = (await t.http.get(`/chain/${A.tenant_id}/invoices`).set(auth).expect(200)).body.items;
    expect(list).toHaveLength(1);
    const id = list[0].batch_id as string;
    const one = (await t.http.get(`/chain/${A.tenant_id}/invoices/${id}`).set(auth).expect(200)).body;
    const csv = (await t.http.get(`/chain/${A.tenant_id}/invoices/${id}?format=csv`).set(auth).expect(200)).text;
    expect(csv.trim().split('\r\n').slice(1)).toEqual([
      `${id},${A.tenant_id},2026-Q3,ISSUED,2026-09-30,NO,NOK,1,61,92,6630,11.6235,2026-09-30,77069`,
      `${id},${A.tenant_id},2026-Q3,ISSUED,2026-09-30,SE,SEK,1,61,92,6630,11.02745,2026-09-30,73117`,
    ]);
    await t.close({ keepData: true });

    const rebuilt = cli(['projections:rebuild', 'chain_invoices']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toContain('rebuilt chain_invoices');
    auth = await restart();
    expect((await t.http.get(`/chain/${A.tenant_id}/invoices/${id}`).set(auth).expect(200)).body).toEqual(one);
    expect((await t.http.get(`/chain/${A.tenant_id}/invoices/${id}?format=csv`).set(auth).expect(200)).text).toBe(csv);
  });
});
