import { adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, rootOperator } from '../tier/support.js';

const PW = 'boule in the park 2026';
const body = (email: string, extra: Record<string, unknown> = {}) => ({
  email,
  password: PW,
  display_name: 'Petra Pointer',
  country: 'SE',
  language: 'en',
  ...extra,
});

describe('individual players: 30-second signup and profile (F02.08.01, e2e)', () => {
  let t: TestApp;
  let op: Awaited<ReturnType<typeof rootOperator>>;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    op = await rootOperator(t);
  });
  afterAll(() => t.close());

  const codeFor = async (to: string): Promise<string> => {
    await t.settle();
    const mail = readOutbox(t.dataDir)
      .filter((m) => m.to === to && /X-Signup: code/.test(m.raw))
      .at(-1);
    return /: (\d{6})\r?$/m.exec(mail!.raw)![1]!;
  };

  it('a new and an existing address get identical answers; the new one a code, the existing owner a notice', async () => {
    const club = await createTenant(t, op.auth, 'CLUB');
    const a = await t.http.post('/public/signup/individual').send(body('brand.new@players.test'));
    const b = await t.http.post('/public/signup/individual').send(body(club.email));
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body).toEqual(b.body);
    expect(Object.keys(a.headers).sort()).toEqual(Object.keys(b.headers).sort());
    await t.settle();
    const mails = readOutbox(t.dataDir);
    expect(mails.filter((m) => m.to === 'brand.new@players.test' && /X-Signup: code/.test(m.raw))).toHaveLength(1);
    expect(mails.filter((m) => m.to === club.email && /X-Signup: notice/.test(m.raw))).toHaveLength(1);
    expect(mails.filter((m) => m.to === club.email && /X-Signup: code/.test(m.raw))).toHaveLength(0);
  });

  it('the code logs a brand new player in: user, personal INDIVIDUAL tenant, IndividualContext, token pair', async () => {
    await t.http
      .post('/public/signup/individual')
      .send(body('Fresh.Player@players.test', { language: 'sv' }))
      .expect(202);
    const code = await codeFor('fresh.player@players.test');
    const res = await t.http.post('/public/signup/individual/verify').send({ email: 'fresh.player@players.test', code }).expect(201);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      user_id: expect.any(String),
    });
    const auth = { Authorization: `Bearer ${res.body.access_token}` };
    const me = (await t.http.get('/me').set(auth).expect(200)).body;
    expect(me).toMatchObject({
      user: { id: res.body.user_id, language: 'sv' },
      tenant: { id: res.body.tenant_id, tenant_type: 'INDIVIDUAL' },
    });
    expect((await t.http.get('/me/tenant-tier').set(auth)).body.allowed_subsystems).toContain('F02.08');
    expect((await t.http.get('/me/individual-context').set(auth).expect(200)).body).toMatchObject({
      user_id: res.body.user_id,
      tenant_id: res.body.tenant_id,
      display_name: 'Petra Pointer',
      country: 'SE',
      language: 'sv',
      subscription_tier: 'FREE',
      premium_valid_until: null,
      privacy_public_profile: false,
    });
    await login(t, 'fresh.player@players.test', PW); // the password given at signup
    // single use
    expectProblem(
      await t.http.post('/public/signup/individual/verify').send({ email: 'fresh.player@players.test', code }),
      400,
      'invalid_code',
    );
  });

  it('five wrong codes lock the code; the right one is refused after that', async () => {
    await t.http.post('/public/signup/individual').send(body('guesser@players.test')).expect(202);
    const code = await codeFor('guesser@players.test');
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 1; i <= 5; i++) {
      t.clock.advance(40_000); // past the brute-force backoff, so each guess is evaluated
      expectProblem(
        await t.http.post('/public/signup/individual/verify').send({ email: 'guesser@players.test', code: wrong }),
        400,
        i < 5 ? 'invalid_code' : 'code_locked',
      );
    }
    t.clock.advance(40_000);
    expectProblem(await t.http.post('/public/signup/individual/verify').send({ email: 'guesser@players.test', code }), 400, 'code_locked');
  });

  it('a code expires after 10 minutes', async () => {
    await t.http.post('/public/signup/individual').send(body('late@players.test')).expect(202);
    const code = await codeFor('late@players.test');
    t.clock.advance(10 * 60_000);
    expectProblem(await t.http.post('/public/signup/individual/verify').send({ email: 'late@players.test', code }), 400, 'code_expired');
  });

  it('per client address at most 20 signups an hour (429 with Retry-After)', async () => {
    t.clock.advance(3_600_000);
    for (let i = 0; i < 20; i++)
      await t.http
        .post('/public/signup/individual')
        .send(body(`many${i}@players.test`))
        .expect(202);
    const res = await t.http.post('/public/signup/individual').send(body('one.more@players.test'));
    expectProblem(res, 429, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('at most 3 signups per address per hour, the same for an existing address (429 with Retry-After)', async () => {
    t.clock.advance(3_600_000);
    for (const email of ['limited@players.test', 'admin@federation.test']) {
      for (let i = 0; i < 3; i++) await t.http.post('/public/signup/individual').send(body(email)).expect(202);
      const res = await t.http.post('/public/signup/individual').send(body(email));
      expectProblem(res, 429, 'rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(3000);
    }
  });

  it("gate: a CLUB tenant's user is refused F02.08 (403 tenant_type_not_eligible) until they create their context and use their personal tenant", async () => {
    const club = await createTenant(t, (await adminLogin(t)).auth, 'CLUB'); // a new token: the clock has moved on
    const res = await t.http.get('/me/individual-context').set(club.admin);
    expectProblem(res, 403, 'tenant_type_not_eligible');
    expect(res.body).toMatchObject({ subsystem: 'F02.08', tenant_type: 'CLUB' });
    expectProblem(await t.http.patch('/me/individual-context').set(club.admin).send({ birth_year: 1980 }), 403, 'tenant_type_not_eligible');
    const created = await t.http.post('/me/individual-context').set(club.admin).send({ country: 'FR' }).expect(201);
    expectProblem(await t.http.post('/me/individual-context').set(club.admin).send({ country: 'FR' }), 409, 'individual_context_exists');
    const personal = await login(t, club.email, 'a long enough password 123', { tenantId: created.body.tenant_id });
    expect((await t.http.get('/me/individual-context').set(personal.auth).expect(200)).body).toMatchObject({
      country: 'FR',
      tenant_id: created.body.tenant_id,
    });
    expectProblem(await t.http.get('/me/individual-context').set(club.admin), 403, 'tenant_type_not_eligible'); // the club token still is not
  });

  it('profile: only the editable fields change; the tier and Stripe fields are refused; public profiles only when public', async () => {
    await t.http.post('/public/signup/individual').send(body('profile@players.test')).expect(202);
    const code = await codeFor('profile@players.test');
    const pr = await t.http.post('/public/signup/individual/verify').send({ email: 'profile@players.test', code });
    expect([pr.status, pr.body.error_code]).toEqual([201, undefined]);
    const p = pr.body;
    const auth = { Authorization: `Bearer ${p.access_token}` };
    const updated = await t.http
      .patch('/me/individual-context')
      .set(auth)
      .send({ birth_year: 1985, preferred_position: 'shooter', handicap_hint: 'left-handed', privacy_public_profile: true })
      .expect(200);
    expect(updated.body).toMatchObject({
      birth_year: 1985,
      preferred_position: 'shooter',
      privacy_public_profile: true,
      subscription_tier: 'FREE',
    });
    for (const field of ['subscription_tier', 'premium_valid_until', 'stripe_customer_id', 'stripe_subscription_id', 'user_id']) {
      const res = await t.http
        .patch('/me/individual-context')
        .set(auth)
        .send({ [field]: 'PREMIUM' });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.detail).toContain(field);
    }
    // a body naming another tenant is refused centrally before validation (issue 10, item 3)
    expectProblem(await t.http.patch('/me/individual-context').set(auth).send({ tenant_id: 'PREMIUM' }), 403, 'tenant_context_mismatch');
    for (const [k, v] of [
      ['birth_year', 1899],
      ['birth_year', new Date().getUTCFullYear() + 1],
      ['preferred_position', 'goalkeeper'],
      ['country', 'XX'],
      ['privacy_public_profile', 'yes'],
    ] as const) {
      const res = await t.http
        .patch('/me/individual-context')
        .set(auth)
        .send({ [k]: v });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.detail).toContain(k);
    }
    // another player sees the public profile, and not once it is private again
    await t.http.post('/public/signup/individual').send(body('viewer@players.test')).expect(202);
    const vcode = await codeFor('viewer@players.test');
    const viewer = {
      Authorization: `Bearer ${(await t.http.post('/public/signup/individual/verify').send({ email: 'viewer@players.test', code: vcode }).expect(201)).body.access_token}`,
    };
    expect((await t.http.get(`/players/${p.user_id}`).set(viewer).expect(200)).body).toEqual({
      user_id: p.user_id,
      display_name: 'Petra Pointer',
      country: 'SE',
      preferred_position: 'shooter',
      handicap_hint: 'left-handed',
      subscription_tier: 'FREE',
    });
    await t.http.patch('/me/individual-context').set(auth).send({ privacy_public_profile: false }).expect(200);
    expectProblem(await t.http.get(`/players/${p.user_id}`).set(viewer), 404, 'player_not_found');
    expectProblem(await t.http.get('/players/not-a-uuid').set(viewer), 404, 'player_not_found');
  });

  it('bad input on the signup endpoints: 400 naming the field', async () => {
    t.clock.advance(3_600_000); // a fresh hour for the per-client-address limit (20 signups per hour)
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [body('nope'), 'email', 'validation_failed'],
      [body('ok@players.test', { country: 'Sweden' }), 'country', 'validation_failed'],
      [body('ok@players.test', { language: 'de' }), 'language', 'validation_failed'],
      [body('ok@players.test', { display_name: '' }), 'display_name', 'validation_failed'],
      [body('ok@players.test', { password: 'short' }), 'password', 'weak_password'],
      [body('ok@players.test', { subscription_tier: 'PREMIUM' }), 'subscription_tier', 'validation_failed'],
    ];
    for (const [b, field, code] of cases) {
      const res = await t.http.post('/public/signup/individual').send(b);
      expectProblem(res, 400, code);
      expect(res.body.detail).toContain(field);
    }
    for (const code of ['12345', '1234567', 'abcdef', 123456]) {
      const res = await t.http.post('/public/signup/individual/verify').send({ email: 'ok@players.test', code });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.detail).toContain('code');
    }
    expectProblem(
      await t.http.post('/public/signup/individual/verify').send({ email: 'never.asked@players.test', code: '123456' }),
      400,
      'invalid_code',
    );
  });
});
