import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { ManualClock } from '../../src/shared/clock.js';
import { BOOTSTRAP_ENV } from '../support/identity.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { signUp, type Player } from './support.js';

const SECRET = 'whsec_test_secret_for_the_fake';

/** A fake Stripe API on loopback: records the form bodies the official client sends. */
function fakeStripe(): Promise<{ url: string; server: Server; calls: Array<{ method: string; path: string; body: URLSearchParams }> }> {
  const calls: Array<{ method: string; path: string; body: URLSearchParams }> = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      calls.push({ method: req.method!, path: req.url!, body: new URLSearchParams(raw) });
      const json = (o: object) =>
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' }).end(JSON.stringify(o));
      if (req.url === '/v1/customers') return json({ id: 'cus_fake_1', object: 'customer' });
      if (req.url === '/v1/checkout/sessions')
        return json({ id: 'cs_test_1', object: 'checkout.session', url: 'https://checkout.stripe.test/c/pay/cs_test_1' });
      if (req.url?.startsWith('/v1/subscriptions/'))
        return json({ id: req.url.split('/').at(-1), object: 'subscription', cancel_at_period_end: true });
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'unknown' } }));
    });
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, calls })),
  );
}

describe('premium through Stripe: checkout, signed webhooks, idempotency, order (e2e)', () => {
  let t: TestApp;
  let fake: Awaited<ReturnType<typeof fakeStripe>>;
  let p: Player;
  const t0 = Math.floor(Date.parse('2026-03-02T08:00:00.000Z') / 1000);
  const sub = (over: Record<string, unknown> = {}) => ({
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_fake_1',
    status: 'active',
    cancel_at_period_end: false,
    metadata: { user_id: p.user_id },
    items: { object: 'list', data: [{ id: 'si_1', current_period_end: t0 + 30 * 86400 }] },
    ...over,
  });
  const send = (id: string, type: string, object: object, created: number, signature?: string) => {
    const payload = JSON.stringify({ id, object: 'event', type, created, data: { object }, api_version: '2025-01-01' });
    return t.http
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signature ?? Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET }))
      .send(payload);
  };
  const subscription = async () => (await t.http.get('/me/subscription').set(p.auth).expect(200)).body;

  beforeAll(async () => {
    fake = await fakeStripe();
    t = await startTestApp({
      env: {
        ...BOOTSTRAP_ENV,
        STRIPE_SECRET_KEY: 'sk_test_fake',
        STRIPE_WEBHOOK_SECRET: SECRET,
        STRIPE_PRICE_ID: 'price_premium',
        STRIPE_API_URL: fake.url,
      },
      clock: new ManualClock('2026-03-02T08:00:00.000Z'),
    });
    p = await signUp(t, 'payer');
  });
  afterAll(async () => {
    await t.close();
    fake.server.close();
  });

  it('checkout creates the customer and a Checkout Session through the stripe package, with metadata.user_id and client_reference_id', async () => {
    const res = await t.http.post('/me/subscription/checkout').set(p.auth).expect(201);
    expect(res.body).toEqual({ session_id: 'cs_test_1', url: 'https://checkout.stripe.test/c/pay/cs_test_1' });
    const customer = fake.calls.find((c) => c.path === '/v1/customers')!;
    expect(customer.body.get('metadata[user_id]')).toBe(p.user_id);
    const session = fake.calls.find((c) => c.path === '/v1/checkout/sessions')!;
    expect(Object.fromEntries(session.body)).toMatchObject({
      mode: 'subscription',
      customer: 'cus_fake_1',
      client_reference_id: p.user_id,
      'metadata[user_id]': p.user_id,
      'subscription_data[metadata][user_id]': p.user_id,
      'line_items[0][price]': 'price_premium',
    });
    expect((await t.http.get('/me/individual-context').set(p.auth)).body.stripe_customer_id).toBe('cus_fake_1');
    // the trial route is off once Stripe is configured
    expectProblem(await t.http.post('/me/subscription/upgrade-dev').set(p.auth), 404);
  });

  it('a bad or missing signature is 400 and changes nothing', async () => {
    expectProblem(await send('evt_bad', 'customer.subscription.created', sub(), t0, 't=1,v1=deadbeef'), 400, 'invalid_signature');
    const payload = JSON.stringify({
      id: 'evt_bad2',
      object: 'event',
      type: 'customer.subscription.created',
      created: t0,
      data: { object: sub() },
    });
    expectProblem(await t.http.post('/webhooks/stripe').set('content-type', 'application/json').send(payload), 400, 'invalid_signature');
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' });
    expectProblem(
      await t.http.post('/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', forged).send(payload),
      400,
      'invalid_signature',
    );
    expect((await subscription()).subscription_tier).toBe('FREE');
  });

  it('subscription created -> premium until the period end; the same event twice is applied once', async () => {
    await send('evt_created', 'customer.subscription.created', sub(), t0 + 10).expect(200);
    const again = await send('evt_created', 'customer.subscription.created', sub(), t0 + 10).expect(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    expect(await subscription()).toMatchObject({
      subscription_tier: 'PREMIUM',
      premium_valid_until: '2026-04-01T08:00:00.000Z',
      premium_active: true,
      cancelled: false,
    });
    const events = await t.app.get<EventStore>(EVENT_STORE).readStream(`individual-${p.user_id}`);
    expect(events.filter((e) => e.type.startsWith('Premium'))).toHaveLength(1);
  });

  it('invoice.paid matched by the stored customer id extends the period; out-of-order updated/deleted end in the right state', async () => {
    const invoice = {
      id: 'in_1',
      object: 'invoice',
      customer: 'cus_fake_1',
      parent: { subscription_details: { subscription: 'sub_1', metadata: {} } },
      lines: { object: 'list', data: [{ period: { start: t0, end: t0 + 60 * 86400 } }] },
    };
    await send('evt_paid', 'invoice.paid', invoice, t0 + 20).expect(200);
    expect((await subscription()).premium_valid_until).toBe('2026-05-01T08:00:00.000Z');

    // Stripe sends deleted (t0+40) before an older updated (t0+30): the older one must not revive it
    await send('evt_deleted', 'customer.subscription.deleted', sub({ status: 'canceled' }), t0 + 40).expect(200);
    await send(
      'evt_updated_old',
      'customer.subscription.updated',
      sub({ items: { object: 'list', data: [{ current_period_end: t0 + 90 * 86400 }] } }),
      t0 + 30,
    ).expect(200);
    const s = await subscription();
    expect(s).toMatchObject({ cancelled: true, premium_valid_until: '2026-04-01T08:00:00.000Z', premium_active: true });
    t.clock.set('2026-04-01T08:00:00.000Z'); // a cancelled subscription ends with its period: no grace
    expect((await t.http.get('/me/subscription').set((await signInAgain(t, p)).auth)).body.premium_active).toBe(false);
  });

  it('downgrade asks Stripe to cancel at period end and keeps premium_valid_until', async () => {
    t.clock.set('2026-03-02T09:00:00.000Z');
    const q = await signUp(t, 'downgrader');
    const s2 = { ...sub(), id: 'sub_2', customer: 'cus_q', metadata: { user_id: q.user_id } };
    await send('evt_q_created', 'customer.subscription.created', s2, t0 + 100).expect(200);
    const res = await t.http.post('/me/subscription/downgrade').set(q.auth).expect(200);
    expect(res.body).toEqual({
      subscription_tier: 'PREMIUM',
      premium_valid_until: '2026-04-01T08:00:00.000Z',
      premium_active: true,
      cancelled: true,
    });
    const call = fake.calls.find((c) => c.path === '/v1/subscriptions/sub_2')!;
    expect(call.body.get('cancel_at_period_end')).toBe('true');
  });
});

async function signInAgain(t: TestApp, p: Player) {
  const { login } = await import('../support/identity.js');
  return login(t, p.email, 'boule in the park 2026', { tenantId: p.tenant_id });
}
