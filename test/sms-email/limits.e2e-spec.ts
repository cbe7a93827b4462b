import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, BOOTSTRAP_ENV, login, type Login } from '../support/identity.js';
import { enrolTotp } from '../policy/helpers.js';
import { codeOf, decodeMail, eventually, outboxFiles } from './support.js';

const HOUR = 3_600_000;

describe('SMS send limits, allow-list and enumeration (embedded .sms outbox)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        ...BOOTSTRAP_ENV,
        SMS_USER_MAX_PER_HOUR: '3',
        SMS_USER_MAX_PER_DAY: '4',
        SMS_PHONE_MAX_PER_HOUR: '2',
        SMS_PHONE_MAX_PER_DAY: '3',
        SMS_MIN_INTERVAL_SECONDS: '30',
      },
    });
    admin = await adminLogin(t);
  });
  afterAll(() => t.close());

  const passwords = new Map<string, string>();
  /** Access tokens live 15 min and these tests move the clock by hours: log in afresh each time. */
  const member = async (email: string): Promise<Login> => {
    admin = await adminLogin(t);
    const m = await addMember(t, admin, { email });
    passwords.set(email, m.password);
    return login(t, email, m.password);
  };
  const enroll = async (l: Login | string, phone: string) => {
    const auth = typeof l === 'string' ? (await login(t, l, passwords.get(l)!)).auth : l.auth;
    return t.http.post('/auth/mfa/sms/enroll').set(auth).send({ phone });
  };

  it('refuses invalid numbers (400 invalid_phone) and countries outside the allow-list (400 sms_country_not_allowed)', async () => {
    const u = await member('countries@club.test');
    for (const bad of ['abc', '0701234567', '+4670', '', '+46 70 123 45 67 89 01 23'])
      expectProblem(await enroll(u, bad), 400, 'invalid_phone');
    expectProblem(await t.http.post('/auth/mfa/sms/enroll').set(u.auth).send({}), 400);
    const us = await enroll(u, '+1 202 555 0143');
    expectProblem(us, 400, 'sms_country_not_allowed');
    expect(JSON.stringify(us.body)).not.toContain('2025550143');
    await member('countries2@club.test');
    for (const [i, ok] of ['+46701111111', '+4741111111', '+4520111111', '+358401111111', '+3546111111'].entries()) {
      t.clock.advance(HOUR);
      expect((await enroll(i < 3 ? 'countries@club.test' : 'countries2@club.test', ok)).status).toBe(200); // user cap: 3 an hour, 4 a day
    }
    const sms = outboxFiles(t, '.sms');
    expect(sms.some((f) => f.text.includes('To: +46701111111') && /\b\d{6}\b/.test(f.text))).toBe(true);
  });

  it('minimum interval and per-user hourly/daily caps: 429 sms_rate_limited with Retry-After', async () => {
    t.clock.advance(2 * 86_400_000);
    const u = await member('user-cap@club.test');
    expect((await enroll(u, '+46702000001')).status).toBe(200);
    const soon = await enroll(u, '+46702000002');
    expectProblem(soon, 429, 'sms_rate_limited');
    expect(Number(soon.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(soon.headers['retry-after'])).toBeLessThanOrEqual(30);
    t.clock.advance(31_000);
    expect((await enroll('user-cap@club.test', '+46702000003')).status).toBe(200);
    t.clock.advance(31_000);
    expect((await enroll('user-cap@club.test', '+46702000004')).status).toBe(200);
    t.clock.advance(31_000);
    const hourly = await enroll('user-cap@club.test', '+46702000005');
    expectProblem(hourly, 429, 'sms_rate_limited');
    expect(Number(hourly.headers['retry-after'])).toBeGreaterThan(30 * 60);
    t.clock.advance(HOUR);
    expect((await enroll('user-cap@club.test', '+46702000006')).status).toBe(200); // 4th today
    t.clock.advance(HOUR);
    const daily = await enroll('user-cap@club.test', '+46702000007');
    expectProblem(daily, 429, 'sms_rate_limited');
    expect(Number(daily.headers['retry-after'])).toBeGreaterThan(2 * 3600);
  });

  it('per-number caps across accounts; the answer never tells whether a number belongs to an account', async () => {
    t.clock.advance(2 * 86_400_000);
    const owner = await member('owner@club.test');
    const r1 = await enroll(owner, '+46703000001');
    expect(r1.status).toBe(200);
    const sms = await eventually(t, () => outboxFiles(t, '.sms').find((f) => f.text.includes('To: +46703000001')));
    await t.http
      .post('/auth/mfa/sms/enroll/confirm')
      .set(owner.auth)
      .send({ code: codeOf(sms.text.split('\n\n')[1]!) })
      .expect(200);

    t.clock.advance(31_000);
    await member('stranger@club.test');
    const bound = await enroll('stranger@club.test', '+46703000001'); // bound to owner
    t.clock.advance(31_000);
    const other = await member('other2@club.test');
    const unbound = await enroll(other, '+46703000002');
    expect(bound.status).toBe(unbound.status);
    expect(Object.keys(bound.body).sort()).toEqual(Object.keys(unbound.body).sort());
    expect(bound.body.phone_masked).toBe('+46 70 *** ** 01');

    t.clock.advance(31_000);
    await member('third@club.test');
    const capped = await enroll('third@club.test', '+46703000001'); // third send to this number within the hour
    expectProblem(capped, 429, 'sms_rate_limited');
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
    expect((await enroll('third@club.test', '+46703000003')).status).toBe(200); // another number is fine
  });
});

describe('tenant caps and e-mail OTP', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({
      env: { ...BOOTSTRAP_ENV, SMS_TENANT_MAX_PER_HOUR: '2', SMS_TENANT_MAX_PER_DAY: '3', EMAIL_OTP_MIN_INTERVAL_SECONDS: '60' },
    });
    admin = await adminLogin(t);
  });
  afterAll(() => t.close());

  it('per-tenant hourly and daily SMS caps', async () => {
    const pw: string[] = [];
    for (const n of ['t1', 't2', 't3', 't4']) pw.push((await addMember(t, admin, { email: `${n}@club.test` })).password);
    const send = async (i: number) => {
      const l = await login(t, `t${i + 1}@club.test`, pw[i]!);
      return t.http
        .post('/auth/mfa/sms/enroll')
        .set(l.auth)
        .send({ phone: `+4670400000${i}` });
    };
    expect((await send(0)).status).toBe(200);
    expect((await send(1)).status).toBe(200);
    const hourly = await send(2);
    expectProblem(hourly, 429, 'sms_rate_limited');
    t.clock.advance(HOUR + 1000);
    expect((await send(2)).status).toBe(200);
    t.clock.advance(HOUR + 1000);
    const daily = await send(3);
    expectProblem(daily, 429, 'sms_rate_limited');
    expect(Number(daily.headers['retry-after'])).toBeGreaterThan(HOUR / 1000);
  });

  it('e-mail OTP: challenge to the account address, verify gives amr email, same mechanics and limits', async () => {
    admin = await adminLogin(t);
    const m = await addMember(t, admin, { email: 'breakglass@club.test', language: 'sv' });
    let l = await login(t, 'breakglass@club.test', m.password);
    // Changed with issue 10: e-mail codes are a fallback beside a possession factor (refused without one)
    expectProblem(await t.http.post('/auth/mfa/email/challenge').set(l.auth).send({}), 403, 'email_otp_not_allowed');
    await enrolTotp(t, l.auth);
    l = await login(t, 'breakglass@club.test', m.password);
    const c = await t.http.post('/auth/mfa/email/challenge').set(l.auth).send({}).expect(200);
    expect(c.body).toEqual({
      challenge_id: expect.any(String),
      email_masked: expect.stringMatching(/^br\*+@club\.test$/),
      expires_in: 300,
    });
    expectProblem(await t.http.post('/auth/mfa/email/challenge').set(l.auth).send({}), 429, 'email_otp_rate_limited');
    const mail = await eventually(t, () =>
      outboxFiles(t, '.eml').find((f) => f.text.includes('breakglass@club.test') && f.text.includes(c.body.challenge_id)),
    );
    const code = /: (\d{6})\b/.exec(decodeMail(mail.text))?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expectProblem(
      await t.http.post('/auth/mfa/sms/verify').set(l.auth).send({ challenge_id: c.body.challenge_id, code }),
      400,
      'invalid_challenge',
    );
    t.clock.advance(2_000);
    const ok = await t.http.post('/auth/mfa/email/verify').set(l.auth).send({ challenge_id: c.body.challenge_id, code }).expect(200);
    expect(ok.body.amr).toEqual(expect.arrayContaining(['email', 'mfa']));
    expectProblem(
      await t.http.post('/auth/mfa/email/verify').set(l.auth).send({ challenge_id: c.body.challenge_id, code }),
      400,
      'challenge_used',
    );
    t.clock.advance(61_000);
    const c2 = await t.http.post('/auth/mfa/email/challenge').set(l.auth).send({}).expect(200);
    t.clock.advance(301_000);
    const l2 = await login(t, 'breakglass@club.test', m.password);
    expectProblem(
      await t.http.post('/auth/mfa/email/verify').set(l2.auth).send({ challenge_id: c2.body.challenge_id, code: '123456' }),
      400,
      'challenge_expired',
    );
  });
});

describe('e-mail OTP tenant cap', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...BOOTSTRAP_ENV, EMAIL_OTP_TENANT_MAX_PER_HOUR: '1' } });
  });
  afterAll(() => t.close());

  it('answers its own error_code (email_otp_rate_limited), not the SMS one', async () => {
    const admin = await adminLogin(t);
    const a = await addMember(t, admin, { email: 'first@club.test' });
    const b = await addMember(t, admin, { email: 'second@club.test' });
    // e-mail codes are a fallback beside a possession factor (issue 10): both have an authenticator app
    await enrolTotp(t, (await login(t, 'first@club.test', a.password)).auth);
    await enrolTotp(t, (await login(t, 'second@club.test', b.password)).auth);
    const la = await login(t, 'first@club.test', a.password);
    const lb = await login(t, 'second@club.test', b.password);
    await t.http.post('/auth/mfa/email/challenge').set(la.auth).send({}).expect(200);
    const capped = await t.http.post('/auth/mfa/email/challenge').set(lb.auth).send({});
    expectProblem(capped, 429, 'email_otp_rate_limited');
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
  });
});
