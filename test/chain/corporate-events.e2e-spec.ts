import { CORPORATE_EVENT_EXPIRY_JOB } from '../../src/chain/corporate-events/corporate-event.jobs.js';
import { JOB_QUEUE, type JobQueue } from '../../src/queue/job-queue.port.js';
import { ManualClock } from '../../src/shared/clock.js';
import { addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator, type Auth, type Tenant } from '../tier/support.js';
import { createChain, createVenue, expectField, link, PASSWORD } from './support.js';

const STATES = ['INQUIRY', 'QUOTED', 'BOOKED', 'COMPLETED', 'CANCELLED', 'EXPIRED'] as const;
type State = (typeof STATES)[number];
const LEGAL: Record<State, State[]> = {
  INQUIRY: ['QUOTED', 'CANCELLED'],
  QUOTED: ['BOOKED', 'CANCELLED'],
  BOOKED: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
  EXPIRED: [],
};

describe('venue chains: corporate events (F02.09.04, e2e)', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;
  let A: Tenant, B: Tenant, V1: Tenant, V2: Tenant, VB: Tenant, VP: Tenant, club: Tenant;
  let chainStaff: Auth, venueStaff: Auth, otherVenueStaff: Auth;
  const TODAY = '2026-06-01';
  const base = (venue = () => V1.tenant_id) => ({
    company_name: 'Acme AB',
    contact_email: 'event.buyer@acme.example',
    host_venue_tenant_id: venue(),
    event_date: TODAY,
    guests: 40,
    notes: 'Team building, vegetarian food',
  });
  const validUntil = (ms = 3_600_000) => new Date(t.clock.now().getTime() + ms).toISOString();
  const quote = (ms?: number) => ({ status: 'QUOTED', quote_amount: 1_250_000, quote_currency: 'SEK', quote_valid_until: validUntil(ms) });
  const url = (id?: string, chain = A.tenant_id) => `/chain/${chain}/corporate-events${id ? `/${id}` : ''}`;
  const patch = (id: string, body: object, auth = A.admin) => t.http.patch(url(id)).set(auth).send(body);
  const create = async (body: object = base()) => (await t.http.post(url()).set(A.admin).send(body).expect(201)).body;
  const relogin = async () => {
    for (const x of [A, B, V1, V2, VB, VP]) x.admin = (await login(t, x.email, PASSWORD)).auth;
    chainStaff = (await login(t, 'staff@chain-a.test', PASSWORD)).auth;
    venueStaff = (await login(t, 'staff@v1.test', PASSWORD)).auth;
    otherVenueStaff = (await login(t, 'staff@v2.test', PASSWORD)).auth;
  };

  /** A fresh event moved to `state` by the legal path. */
  async function reach(state: State): Promise<string> {
    const id = (await create()).corporate_event_id as string;
    const path: Record<State, object[]> = {
      INQUIRY: [],
      QUOTED: [quote()],
      BOOKED: [quote(), { status: 'BOOKED' }],
      COMPLETED: [quote(), { status: 'BOOKED' }, { status: 'COMPLETED' }],
      CANCELLED: [{ status: 'CANCELLED' }],
      EXPIRED: [],
    };
    if (state === 'EXPIRED') {
      await patch(id, quote(60_000)).expect(200);
      t.clock.advance(60_000);
      await t.app.get<JobQueue>(JOB_QUEUE).enqueue(CORPORATE_EVENT_EXPIRY_JOB, {}, { jobId: `reach-${id}` });
      await t.settle();
      t.clock.advance(-60_000); // back, so the other quotes of the test keep their validity
    }
    for (const body of path[state]) await patch(id, body).expect(200);
    expect((await t.http.get(url(id)).set(A.admin).expect(200)).body.status).toBe(state);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV, clock: new ManualClock(`${TODAY}T08:00:00.000Z`) });
    op = await rootOperator(t);
    A = await createChain(t, op.auth, 'CORPA');
    B = await createChain(t, op.auth, 'CORPB');
    V1 = await createVenue(t, op.auth, 'V1');
    V2 = await createVenue(t, op.auth, 'V2');
    VB = await createVenue(t, op.auth, 'VB');
    VP = await createVenue(t, op.auth, 'VP (pending)');
    club = await createTenant(t, op.auth, 'CLUB', 'club');
    await link(t, A, V1);
    await link(t, A, V2);
    await link(t, B, VB);
    await t.http.post(`/chain/${A.tenant_id}/add-venue`).set(A.admin).send({ venue_tenant_id: VP.tenant_id }).expect(201);
    await addMember(t, { auth: A.admin, tenant_id: A.tenant_id }, { email: 'staff@chain-a.test', roles: ['staff'], password: PASSWORD });
    await addMember(t, { auth: V1.admin, tenant_id: V1.tenant_id }, { email: 'staff@v1.test', roles: ['staff'], password: PASSWORD });
    await addMember(t, { auth: V2.admin, tenant_id: V2.tenant_id }, { email: 'staff@v2.test', roles: ['staff'], password: PASSWORD });
    await relogin();
  });
  afterAll(() => t.close());

  it('an inquiry is created for an ACTIVE host venue and read back in full by the chain admin', async () => {
    const e = await create();
    expect(e).toMatchObject({ ...base(), status: 'INQUIRY', chain_id: A.tenant_id, quote_amount: null });
    const list = (await t.http.get(url()).set(A.admin).expect(200)).body.items;
    expect(list.map((x: { corporate_event_id: string }) => x.corporate_event_id)).toContain(e.corporate_event_id);
    // a venue with only a pending invitation, or another chain's venue, holds no ACTIVE membership
    expectProblem(
      await t.http
        .post(url())
        .set(A.admin)
        .send(base(() => VP.tenant_id)),
      409,
      'host_venue_not_active_member',
    );
    expectProblem(
      await t.http
        .post(url())
        .set(A.admin)
        .send(base(() => VB.tenant_id)),
      409,
      'host_venue_not_active_member',
    );
  });

  it('every legal transition succeeds and every illegal one is 409 invalid_transition naming both states', async () => {
    for (const from of STATES) {
      for (const to of STATES) {
        const id = await reach(from);
        const body = to === 'QUOTED' ? quote() : { status: to };
        const res = await patch(id, body);
        if (LEGAL[from].includes(to)) {
          expect([from, to, res.status]).toEqual([from, to, 200]);
          expect(res.body.status).toBe(to);
        } else {
          expectProblem(res, 409, 'invalid_transition');
          expect(res.body).toMatchObject({ from, to });
          expect(res.body.detail).toContain(from);
          expect(res.body.detail).toContain(to);
          expect((await t.http.get(url(id)).set(A.admin)).body.status).toBe(from);
        }
      }
    }
  });

  it('a quote carries its fields; the other statuses carry none', async () => {
    const id = await reach('INQUIRY');
    for (const f of ['quote_amount', 'quote_currency', 'quote_valid_until']) {
      const body: Record<string, unknown> = quote();
      delete body[f];
      expectField(await patch(id, body), f);
    }
    expectField(
      await patch(id, { ...quote(), quote_valid_until: new Date(t.clock.now().getTime() - 1000).toISOString() }),
      'quote_valid_until',
    );
    expectField(await patch(id, { ...quote(), quote_currency: 'XYZ' }), 'quote_currency');
    expectField(await patch(id, { ...quote(), quote_amount: 12.5 }), 'quote_amount');
    expectField(await patch(id, { status: 'CANCELLED', quote_amount: 100 }), 'quote_amount');
    const q = (await patch(id, quote()).expect(200)).body;
    expect(q).toMatchObject({ status: 'QUOTED', quote_amount: 1_250_000, quote_currency: 'SEK' });
  });

  it('a quote not booked by quote_valid_until: booking is refused, and the job marks it EXPIRED on the clock', async () => {
    const id = await reach('INQUIRY');
    await patch(id, quote(10 * 60_000)).expect(200);
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    t.clock.advance(10 * 60_000 - 1000);
    await queue.enqueue(CORPORATE_EVENT_EXPIRY_JOB, {}, { jobId: 'expiry-early' });
    await t.settle();
    expect((await t.http.get(url(id)).set(A.admin)).body.status).toBe('QUOTED');
    t.clock.advance(1000);
    // before the job has run, the quote is already past its validity
    expectProblem(await patch(id, { status: 'BOOKED' }), 409, 'quote_expired');
    await queue.enqueue(CORPORATE_EVENT_EXPIRY_JOB, {}, { jobId: 'expiry-due' });
    await t.settle();
    expect((await t.http.get(url(id)).set(A.admin)).body.status).toBe('EXPIRED');
    expect(
      (await t.http.get(`${url()}?status=EXPIRED`).set(A.admin)).body.items.map(
        (x: { corporate_event_id: string }) => x.corporate_event_id,
      ),
    ).toContain(id);
    t.clock.advance(-10 * 60_000);
  });

  it('a booked event is not expired by the job', async () => {
    const id = await reach('INQUIRY');
    await patch(id, quote(5 * 60_000)).expect(200);
    await patch(id, { status: 'BOOKED' }).expect(200);
    t.clock.advance(5 * 60_000);
    await t.app.get<JobQueue>(JOB_QUEUE).enqueue(CORPORATE_EVENT_EXPIRY_JOB, {}, { jobId: 'expiry-booked' });
    await t.settle();
    expect((await t.http.get(url(id)).set(A.admin)).body.status).toBe('BOOKED');
    t.clock.advance(-5 * 60_000);
  });

  it('the contact e-mail is masked for chain staff and host-venue staff; other venues see nothing', async () => {
    const id = (await create()).corporate_event_id as string;
    expect((await t.http.get(url(id)).set(A.admin).expect(200)).body.contact_email).toBe('event.buyer@acme.example');
    for (const auth of [chainStaff, venueStaff]) {
      const one = (await t.http.get(url(id)).set(auth).expect(200)).body;
      expect(one.contact_email).not.toContain('event.buyer');
      expect(one.contact_email).toMatch(/^ev\*+@acme\.example$/);
      expect(one.company_name).toBe('Acme AB');
      const list = (await t.http.get(url()).set(auth).expect(200)).body.items;
      expect(list.length).toBeGreaterThan(0);
      expect(JSON.stringify(list)).not.toContain('event.buyer@');
    }
    // staff of another venue of the chain: not their event
    expectProblem(await t.http.get(url(id)).set(otherVenueStaff), 404, 'corporate_event_not_found');
    expect((await t.http.get(url()).set(otherVenueStaff).expect(200)).body.items).toEqual([]);
    // readers do not move events
    expectProblem(await patch(id, { status: 'CANCELLED' }, chainStaff), 403, 'tenant_admin_required');
    expectProblem(await patch(id, { status: 'CANCELLED' }, venueStaff), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.post(url()).set(chainStaff).send(base()), 403, 'tenant_admin_required');
  });

  it("another chain's admin: 403 on this chain's path, 404 for this chain's event under their own; a CLUB is not eligible", async () => {
    const id = (await create()).corporate_event_id as string;
    expectProblem(await t.http.get(url(id)).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(url()).set(B.admin), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.patch(url(id)).set(B.admin).send({ status: 'CANCELLED' }), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(url(id, B.tenant_id)).set(B.admin), 404, 'corporate_event_not_found');
    expectProblem(await t.http.patch(url(id, B.tenant_id)).set(B.admin).send({ status: 'CANCELLED' }), 404, 'corporate_event_not_found');
    // a venue of another chain is refused this chain
    const vb = (await login(t, VB.email, PASSWORD)).auth;
    expectProblem(await t.http.get(url()).set(vb), 403, 'tenant_context_mismatch');
    expectProblem(await t.http.get(url(undefined, club.tenant_id)).set(club.admin), 403, 'tenant_type_not_eligible');
    expect((await t.http.get(url(id)).set(A.admin)).body.status).toBe('INQUIRY');
  });

  it('a host venue that left the chain cannot have its quote booked', async () => {
    const V3 = await createVenue(t, op.auth, 'V3');
    await link(t, A, V3);
    const id = (await create(base(() => V3.tenant_id))).corporate_event_id as string;
    await patch(id, quote()).expect(200);
    await t.http.delete(`/chain/${A.tenant_id}/venues/${V3.tenant_id}`).set(A.admin).expect(200);
    expectProblem(await patch(id, { status: 'BOOKED' }), 409, 'host_venue_not_active_member');
    await patch(id, { status: 'CANCELLED' }).expect(200);
  });

  it('bad input: 400 naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['company_name', { company_name: '' }],
      ['contact_email', { contact_email: 'not-an-address' }],
      ['host_venue_tenant_id', { host_venue_tenant_id: 'v1' }],
      ['event_date', { event_date: '2026-02-30' }],
      ['event_date', { event_date: '2026-05-31' }], // in the past
      ['guests', { guests: 0 }],
      ['guests', { guests: '12' }],
      ['notes', { notes: 'x'.repeat(2001) }],
    ];
    for (const [field, over] of cases)
      expectField(
        await t.http
          .post(url())
          .set(A.admin)
          .send({ ...base(), ...over }),
        field,
      );
    const id = await reach('INQUIRY');
    expectField(await patch(id, { status: 'DONE' }), 'status');
    expectField(await patch(id, {}), 'status');
    expectProblem(await patch('not-an-id', { status: 'CANCELLED' }), 404, 'corporate_event_not_found');
    expectField(await t.http.get(`${url()}?status=OPEN`).set(A.admin), 'status');
  });
});
