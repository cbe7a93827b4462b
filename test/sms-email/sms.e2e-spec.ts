import { randomUUID } from 'node:crypto';
import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { codeOf, eventually, FakeElks, outboxFiles, storeBytes } from './support.js';

const USER = 'elks-user';
const PASS = 'elks-pass-secret';

describe('SMS-OTP through 46elks', () => {
  let t: TestApp;
  let elks: FakeElks;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  const codesSeen: string[] = [];

  beforeAll(async () => {
    elks = new FakeElks();
    await elks.start();
    t = await startTestApp({
      env: {
        ...BOOTSTRAP_ENV,
        ELKS_BASE_URL: elks.url,
        ELKS_USERNAME: USER,
        ELKS_PASSWORD: PASS,
        OTP_JOB_BACKOFF_MS: '20',
        PUBLIC_BASE_URL: 'https://api.petanque.test',
      },
    });
    admin = await adminLogin(t);
  });
  afterAll(async () => {
    await t.close();
    await elks.close();
  });

  const member = async (email: string) => {
    const m = await addMember(t, admin, { email });
    return login(t, email, m.password);
  };
  /** The code of the n-th successful 46elks request to this number. */
  const smsCode = async (to: string, n = 1) => {
    const r = await eventually(t, () => elks.delivered(to)[n - 1]);
    const code = codeOf(r.fields.message!);
    codesSeen.push(code);
    return code;
  };
  const enrol = async (auth: { Authorization: string }, phone: string, e164: string) => {
    t.clock.advance(31_000);
    const res = await t.http.post('/auth/mfa/sms/enroll').set(auth).send({ phone }).expect(200);
    const code = await smsCode(e164, elks.delivered(e164).length + 1);
    const ok = await t.http.post('/auth/mfa/sms/enroll/confirm').set(auth).send({ code }).expect(200);
    return { res, ok };
  };
  const challenge = async (auth: { Authorization: string }) => {
    t.clock.advance(31_000);
    return (await t.http.post('/auth/mfa/sms/challenge').set(auth).send({}).expect(200)).body as {
      challenge_id: string;
      phone_masked: string;
      expires_in: number;
    };
  };

  it('enrols a number: exact 46elks form fields and Basic auth, confirm binds it, methods/audit/e-mail follow', async () => {
    const u = await member('enrol@club.test');
    const res = await t.http.post('/auth/mfa/sms/enroll').set(u.auth).send({ phone: '+46 70-173 92 58' }).expect(200);
    expect(res.body).toEqual({
      challenge_id: expect.any(String),
      phone: '+46701739258',
      phone_masked: '+46 70 *** ** 58',
      expires_in: 300,
    });

    const req = await eventually(t, () => elks.delivered('+46701739258')[0]);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/a1/sms');
    expect(req.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`);
    expect(req.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.keys(req.fields).sort()).toEqual(['from', 'message', 'to', 'whendelivered']);
    expect(req.fields.from).toBe('PetanqueLif');
    expect(req.fields.to).toBe('+46701739258');
    expect(req.fields.message).toMatch(/\b\d{6}\b/);
    expect(req.fields.whendelivered).toMatch(/^https:\/\/api\.petanque\.test\/webhooks\/46elks\/delivery\/[A-Za-z0-9_-]{40,}$/);
    const code = codeOf(req.fields.message!);
    codesSeen.push(code);

    const wrong = await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(u.auth)
      .send({ code: code === '000000' ? '111111' : '000000' });
    expectProblem(wrong, 400, 'invalid_code');
    t.clock.advance(2_000); // brute-force backoff after one failure
    const ok = await t.http.post('/auth/mfa/sms/enroll/confirm').set(u.auth).send({ code }).expect(200);
    // Changed with issue 10: the confirm binds the number but no longer answers an upgraded token
    expect(ok.body).toEqual({ enrolled: true, method: 'sms', phone_masked: '+46 70 *** ** 58', confirmed_at: expect.any(String) });
    expect((await t.http.get('/me').set(u.auth).expect(200)).body.mfa_at).toBeNull();

    const methods = await t.http.get('/auth/mfa/methods').set(u.auth).expect(200);
    expect(JSON.stringify(methods.body)).toContain('+46 70 *** ** 58');
    expect(JSON.stringify(methods.body)).not.toContain('46701739258');
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(u.auth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toContain('mfa_enrolled');
    expect(JSON.stringify(events.body)).not.toContain('46701739258');
    const mail = outboxFiles(t, '.eml').find(
      (m) => m.text.includes('X-Security-Event: mfa_enrolled') && m.text.includes('enrol@club.test'),
    );
    expect(mail).toBeDefined();

    // Delivery report webhook: known secret 204, unknown 404.
    const path = new URL(req.fields.whendelivered!).pathname;
    await t.http.post(path).type('form').send({ id: 's1', status: 'delivered', delivered: '2026-03-02T08:00:05Z' }).expect(204);
    const unknown = await t.http
      .post('/webhooks/46elks/delivery/' + 'x'.repeat(43))
      .type('form')
      .send({ id: 's1', status: 'delivered' });
    expectProblem(unknown, 404);
  });

  it('challenge + verify upgrades the session with amr sms; a code is single use', async () => {
    const u = await member('verify@club.test');
    await enrol(u.auth, '+46701739201', '+46701739201');
    const fresh = await login(t, 'verify@club.test', 'a long enough password 123');
    const c = await challenge(fresh.auth);
    expect(c).toEqual({ challenge_id: expect.any(String), phone_masked: '+46 70 *** ** 01', expires_in: 300 });
    const code = await smsCode('+46701739201', 2);
    const ok = await t.http.post('/auth/mfa/sms/verify').set(fresh.auth).send({ challenge_id: c.challenge_id, code }).expect(200);
    expect(ok.body.amr).toEqual(expect.arrayContaining(['sms', 'mfa']));
    const me = await t.http
      .get('/me')
      .set({ Authorization: `Bearer ${ok.body.access_token}` })
      .expect(200);
    expect(me.body.amr).toContain('sms');
    expect(me.body.mfa_at).toEqual(expect.any(Number));
    const again = await t.http.post('/auth/mfa/sms/verify').set(fresh.auth).send({ challenge_id: c.challenge_id, code });
    expectProblem(again, 400, 'challenge_used');
  });

  it('expires codes after 5 minutes; wrong and foreign challenge ids are the same answer', async () => {
    const u = await member('expiry@club.test');
    await enrol(u.auth, '+4741739202', '+4741739202');
    const c = await challenge(u.auth);
    const code = await smsCode('+4741739202', 2);
    t.clock.advance(300_000);
    expectProblem(
      await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: c.challenge_id, code }),
      400,
      'challenge_expired',
    );

    t.clock.advance(5_000);
    expectProblem(
      await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: randomUUID(), code }),
      400,
      'invalid_challenge',
    );

    const other = await member('other@club.test');
    await enrol(other.auth, '+4741739203', '+4741739203');
    const oc = await challenge(other.auth);
    const ocode = await smsCode('+4741739203', 2);
    t.clock.advance(10_000);
    expectProblem(
      await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: oc.challenge_id, code: ocode }),
      400,
      'invalid_challenge',
    );
    await t.http.post('/auth/mfa/sms/verify').set(other.auth).send({ challenge_id: oc.challenge_id, code: ocode }).expect(200);
    expectProblem(await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: 'not-a-uuid', code: '12' }), 400);
  });

  it('five wrong codes kill the challenge: audit event and e-mail mfa_challenge_locked', async () => {
    const u = await member('locked@club.test');
    await enrol(u.auth, '+4540173920', '+4540173920');
    const c = await challenge(u.auth);
    const code = await smsCode('+4540173920', 2);
    const wrong = code === '999999' ? '888888' : '999999';
    const answers: Array<string | undefined> = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(20_000); // past the brute-force backoff
      const r = await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: c.challenge_id, code: wrong });
      answers.push(r.body.error_code);
    }
    expect(answers).toEqual(['invalid_code', 'invalid_code', 'invalid_code', 'invalid_code', 'challenge_locked']);
    t.clock.advance(40_000);
    expectProblem(
      await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: c.challenge_id, code }),
      400,
      'challenge_locked',
    );
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(u.auth).expect(200);
    expect(events.body.items.filter((e: { type: string }) => e.type === 'mfa_challenge_locked')).toHaveLength(1);
    expect(
      outboxFiles(t, '.eml').filter(
        (m) => m.text.includes('X-Security-Event: mfa_challenge_locked') && m.text.includes('locked@club.test'),
      ),
    ).toHaveLength(1);
  });

  it('46elks answering 401, 403, 500: the job retries, the code arrives once and works', async () => {
    const u = await member('retry@club.test');
    await enrol(u.auth, '+358401739204', '+358401739204');
    elks.script.push(401, 403, 500);
    const before = elks.requests.length;
    const c = await challenge(u.auth);
    const code = await smsCode('+358401739204', 2);
    const mine = elks.requests.slice(before).filter((r) => r.fields.to === '+358401739204');
    expect(mine.map((r) => r.answered)).toEqual([401, 403, 500, 200]);
    expect(new Set(mine.map((r) => r.fields.message)).size).toBe(1); // the same code each time
    await t.http.post('/auth/mfa/sms/verify').set(u.auth).send({ challenge_id: c.challenge_id, code }).expect(200);
    await t.settle();
    expect(elks.delivered('+358401739204')).toHaveLength(2); // enrolment + this challenge, nothing twice
  });

  it('replacing or removing the number needs a fresh MFA', async () => {
    const u = await member('stepup@club.test');
    await enrol(u.auth, '+46701739205', '+46701739205');
    const stale = await login(t, 'stepup@club.test', 'a long enough password 123');
    t.clock.advance(31_000);
    expectProblem(await t.http.post('/auth/mfa/sms/enroll').set(stale.auth).send({ phone: '+46701739206' }), 403, 'mfa_step_up_required');
    expectProblem(await t.http.delete('/auth/mfa/sms').set(stale.auth), 403, 'mfa_step_up_required');
    const c = await challenge(stale.auth);
    const code = await smsCode('+46701739205', 2);
    const ok = await t.http.post('/auth/mfa/sms/verify').set(stale.auth).send({ challenge_id: c.challenge_id, code }).expect(200);
    const freshAuth = { Authorization: `Bearer ${ok.body.access_token}` };
    await t.http.delete('/auth/mfa/sms').set(freshAuth).expect(204);
    const methods = await t.http.get('/auth/mfa/methods').set(freshAuth).expect(200);
    expect(methods.body.sms).toMatchObject({ enrolled: false });
    expectProblem(await t.http.delete('/auth/mfa/sms').set(freshAuth), 404, 'sms_not_enrolled');
    await t.settle();
    const events = await t.http.get('/auth/security-events').set(freshAuth).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toContain('mfa_disabled');
  });

  it('the stores hold no plaintext code and no unmasked number', async () => {
    await t.settle();
    const bytes = storeBytes(t);
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(codesSeen.length).toBeGreaterThanOrEqual(8);
    for (const code of codesSeen) {
      expect(bytes).not.toContain(`"${code}"`);
      expect(bytes).not.toContain(`is ${code}`);
    }
    for (const n of ['46701739258', '46701739201', '4741739202', '4540173920', '358401739204', '46701739205'])
      expect(bytes).not.toContain(n);
    for (const r of elks.requests) expect(bytes).not.toContain(new URL(r.fields.whendelivered!).pathname.split('/').pop()!);
    expect(bytes).toContain('+46 70 *** ** 58'); // the masked form is there (sanity: the grep reads real data)
  });
});
