import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandBus } from '@nestjs/cqrs';
import { CORPORATE_EVENT_EXPIRY_JOB } from '../../src/chain/corporate-events/corporate-event.jobs.js';
import { parseEurofxref } from '../../src/chain/invoices/ecb-rates.js';
import { GenerateChainInvoice } from '../../src/chain/invoices/invoice.handlers.js';
import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { adminLogin } from '../support/identity.js';
import type { TestApp } from '../support/test-app.js';
import { createChain, createVenueIn, link } from '../chain/support.js';

const ok = <R extends { status: number; body: unknown }>(res: R, what: string): R => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

/**
 * The venue-chain part of the projection scenario: a chain with a Swedish and a Norwegian venue,
 * a league with results, corporate events moved through their states (one expired by the job),
 * a white label, and a quarter's invoice drafted and then issued. Runs last: it moves the clock
 * into the next quarter.
 */
export async function runChainScenario(t: TestApp): Promise<void> {
  const op = (await adminLogin(t)).auth;
  const chain = await createChain(t, op, 'SCEN');
  const se = await createVenueIn(t, op, 'Scenario Stockholm', 'SE');
  const no = await createVenueIn(t, op, 'Scenario Oslo', 'NO');
  await link(t, chain, se);
  await link(t, chain, no);
  const base = `/chain/${chain.tenant_id}`;
  const today = t.clock.now().toISOString().slice(0, 10);

  const league = ok(
    await t.http
      .post(`${base}/leagues`)
      .set(chain.admin)
      .send({ name: 'Scenario league', venue_ids: [se.tenant_id, no.tenant_id], season_start: '2026-01-01', season_end: '2026-06-30' }),
    'league',
  ).body.league_id as string;
  const played_at = new Date(t.clock.now().getTime() - 3_600_000).toISOString();
  for (const [venue, player, pf, pa] of [
    [se, se.admin_id, 13, 7],
    [se, no.admin_id, 7, 13],
    [no, no.admin_id, 13, 11],
  ] as const)
    ok(
      await t.http
        .post(`${base}/leagues/${league}/results`)
        .set(venue.admin)
        .send({ venue_id: venue.tenant_id, player_user_id: player, played_at, won: pf > pa, points_for: pf, points_against: pa }),
      'league result',
    );

  const event = (guests: number) =>
    t.http.post(`${base}/corporate-events`).set(chain.admin).send({
      company_name: 'Scenario AB',
      contact_email: 'buyer@scenario.example',
      host_venue_tenant_id: se.tenant_id,
      event_date: today,
      guests,
      notes: null,
    });
  const quote = (ms: number) => ({
    status: 'QUOTED',
    quote_amount: 500_000,
    quote_currency: 'SEK',
    quote_valid_until: new Date(t.clock.now().getTime() + ms).toISOString(),
  });
  const booked = ok(await event(30), 'corporate event').body.corporate_event_id as string;
  for (const body of [quote(3_600_000), { status: 'BOOKED' }, { status: 'COMPLETED' }])
    ok(await t.http.patch(`${base}/corporate-events/${booked}`).set(chain.admin).send(body), 'corporate event move');
  const lapsing = ok(await event(12), 'corporate event').body.corporate_event_id as string;
  ok(await t.http.patch(`${base}/corporate-events/${lapsing}`).set(chain.admin).send(quote(60_000)), 'quote');

  ok(
    await t.http
      .put(`${base}/white-label`)
      .set(chain.admin)
      .send({
        app_name: 'Scenario Boule',
        colors: { primary: '#112233', secondary: '#ffffff', accent: '#ff8800' },
        logo_url: 'https://cdn.scenario.example/logo.svg',
        icon_url: null,
        custom_domain: 'boule.scenario.example',
        hide_petanque_life_branding: false,
      }),
    'white label',
  );

  const rates = parseEurofxref(readFileSync(join(process.cwd(), 'test/chain/data/eurofxref-hist.csv')));
  const quarter = `${today.slice(0, 4)}-Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
  const generate = () => t.app.get(CommandBus).execute(new GenerateChainInvoice(chain.tenant_id, quarter, { rates: async () => rates }));
  await generate(); // a draft up to today
  t.clock.advance(2 * 86_400_000);
  await t.app.get<JobQueue>(JOB_QUEUE).enqueue(CORPORATE_EVENT_EXPIRY_JOB, {}, { jobId: 'scenario-expiry' });
  await generate(); // the draft replaced
  const [y, q] = quarter.split('-Q').map(Number) as [number, number];
  t.clock.set(new Date(Date.UTC(y, q * 3, 2, 9)).toISOString()); // the quarter is over
  await generate(); // issued
  await t.settle();
}
