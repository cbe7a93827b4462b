import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { SoftAuthenticator } from '../webauthn/soft-authenticator.js';
import { lockPassword, registerPasskey } from './support.js';

const WINDOW = 900;
const wrong = (t: TestApp, email: string, xff?: string) => {
  const req = t.http.post('/auth/login');
  return (xff ? req.set('X-Forwarded-For', xff) : req).send({ email, password: 'Summer2026!' });
};
const windowStart = (t: TestApp) => t.clock.set(Math.ceil(t.clock.now().getTime() / (WINDOW * 1000)) * WINDOW * 1000 + 1000);

describe('login abuse: per-client-address throttle across accounts (issue 10 item 5)', () => {
  describe('without TRUST_PROXY (the default)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: BOOTSTRAP_ENV });
    });
    afterAll(() => t.close());

    it('slows a password spray down after 10 failures whatever X-Forwarded-For says, raises the alarm, and lifts after the window', async () => {
      const admin = await adminLogin(t);
      const victim = await addMember(t, admin, { email: 'victim@club.test' });
      windowStart(t);
      // one client, ten accounts (known and unknown), a different spoofed X-Forwarded-For each time
      for (let i = 0; i < 10; i++) expectProblem(await wrong(t, `player${i}@club.test`, `198.51.100.${i}`), 401, 'invalid_credentials');
      const refused = await wrong(t, 'player10@club.test', '198.51.100.200');
      expectProblem(refused, 429, 'address_throttled');
      expect(Number(refused.headers['retry-after'])).toBe(WINDOW - 1);
      // not evaluated at all: even the right password of a fresh account is refused from this address
      expectProblem(
        await t.http.post('/auth/login').set('X-Forwarded-For', '192.0.2.1').send({ email: 'victim@club.test', password: victim.password }),
        429,
        'address_throttled',
      );

      // the alarm is a platform security event for operators (sys role security) only
      t.clock.advance(WINDOW * 1000);
      await t.settle();
      const operator = await adminLogin(t);
      const alarms = await t.http.get('/sys/security-events').set(operator.auth).expect(200);
      expect(alarms.body.items).toHaveLength(1);
      expect(alarms.body.items[0]).toMatchObject({
        type: 'password_spraying_suspected',
        details: { address: '127.0.0.1', failures: 10, distinct_accounts: 10, window_seconds: WINDOW },
      });
      const member = await login(t, 'victim@club.test', victim.password);
      expectProblem(await t.http.get('/sys/security-events').set(member.auth), 403, 'sys_role_required');
    });

    it('counts only failures: successful logins from a shared address never throttle it, and one account alone raises no alarm', async () => {
      const admin = await adminLogin(t);
      const m = await addMember(t, admin, { email: 'busy@club.test' });
      windowStart(t);
      for (let i = 0; i < 15; i++) await login(t, 'busy@club.test', m.password);
      for (let i = 0; i < 9; i++) {
        expectProblem(await wrong(t, 'busy@club.test'), 401, 'invalid_credentials');
        t.clock.advance(31_000); // past the per-account backoff
      }
      expectProblem(await wrong(t, 'busy@club.test'), 401, 'invalid_credentials');
      t.clock.advance(31_000);
      expectProblem(await t.http.post('/auth/login').send({ email: 'busy@club.test', password: m.password }), 429, 'address_throttled');
      // every account is refused from this address until the window ends, the operator's too
      expectProblem(await t.http.post('/auth/login').send(ADMIN), 429, 'address_throttled');
      t.clock.advance(WINDOW * 1000);
      await t.settle();
      const operator = await adminLogin(t);
      const items = (await t.http.get('/sys/security-events').set(operator.auth).expect(200)).body.items;
      expect(items).toHaveLength(1); // still only the spray of the first test
    });
  });

  describe('with TRUST_PROXY=loopback (a proxy on this host)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ env: { ...BOOTSTRAP_ENV, TRUST_PROXY: 'loopback' } });
    });
    afterAll(() => t.close());

    it('takes the client address the proxy saw: one address is throttled, another is not, and a forged left-most hop does not dodge it', async () => {
      const admin = await adminLogin(t);
      const m = await addMember(t, admin, { email: 'neighbour@club.test' });
      windowStart(t);
      for (let i = 0; i < 10; i++) expectProblem(await wrong(t, `p${i}@club.test`, '203.0.113.1'), 401, 'invalid_credentials');
      expectProblem(await wrong(t, 'p10@club.test', '203.0.113.1'), 429, 'address_throttled');
      // the client prepends a made-up address; the proxy appends the real one, which is what counts
      expectProblem(await wrong(t, 'p11@club.test', '10.9.8.7, 203.0.113.1'), 429, 'address_throttled');
      // a different client behind the same proxy is evaluated and can sign in
      expectProblem(await wrong(t, 'p12@club.test', '203.0.113.2'), 401, 'invalid_credentials');
      await login(t, 'neighbour@club.test', m.password, { ip: '203.0.113.2' });
      // IPv6 clients are counted per /64
      for (let i = 0; i < 10; i++) expectProblem(await wrong(t, `v6-${i}@club.test`, `2001:db8:7:7::${i + 1}`), 401, 'invalid_credentials');
      expectProblem(await wrong(t, 'v6-x@club.test', '2001:db8:7:7:ffff::1'), 429, 'address_throttled');
      expectProblem(await wrong(t, 'v6-y@club.test', '2001:db8:7:8::1'), 401, 'invalid_credentials');

      t.clock.advance(WINDOW * 1000);
      await t.settle();
      const items = (
        await t.http
          .get('/sys/security-events')
          .set((await adminLogin(t)).auth)
          .expect(200)
      ).body.items;
      expect(items.map((e: { details: { address: string } }) => e.details.address).sort()).toEqual(['2001:db8:7:7::/64', '203.0.113.1']);
    });

    it('evaluates at most the remaining budget of a parallel burst from one address', async () => {
      windowStart(t);
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => wrong(t, `burst${i}@club.test`, '203.0.113.50')));
      const codes = results.map((r) => r.body.error_code);
      expect(codes.filter((c) => c === 'invalid_credentials').length).toBeLessThanOrEqual(10);
      expect(codes.filter((c) => c === 'address_throttled').length).toBeGreaterThanOrEqual(20);
    });
  });

  describe('a locked password is not a denial of service', () => {
    let t: TestApp;
    const ORIGIN = 'https://app.petanque.test';
    beforeAll(async () => {
      t = await startTestApp({
        env: { ...BOOTSTRAP_ENV, TRUST_PROXY: 'loopback', WEBAUTHN_RP_ID: 'petanque.test', WEBAUTHN_ORIGINS: ORIGIN },
      });
    });
    afterAll(() => t.close());

    it('after 100 failures locks the password, yet the owner still signs in with a passkey; another user is untouched', async () => {
      const admin = await adminLogin(t);
      const owner = await addMember(t, admin, { email: 'owner@club.test' });
      const other = await addMember(t, admin, { email: 'other@club.test' });
      const session = await login(t, 'owner@club.test', owner.password);
      const key = new SoftAuthenticator(ORIGIN);
      await registerPasskey(t, session.auth, key);

      // the attacker spreads 100 guesses over many addresses to get past the address throttle
      await lockPassword(t, 'owner@club.test');
      expectProblem(
        await t.http.post('/auth/login').set('X-Forwarded-For', '192.0.2.77').send({ email: 'owner@club.test', password: owner.password }),
        423,
        'credential_locked',
      );
      await login(t, 'other@club.test', other.password, { ip: '192.0.2.77' });

      const lo = await t.http.post('/auth/passkey/login/options').set('X-Forwarded-For', '192.0.2.77').expect(200);
      const res = await t.http
        .post('/auth/passkey/login/verify')
        .set('X-Forwarded-For', '192.0.2.77')
        .send({ attempt_id: lo.body.attempt_id, response: key.get(lo.body.options) })
        .expect(200);
      const me = await t.http
        .get('/me')
        .set({ Authorization: `Bearer ${res.body.access_token}` })
        .expect(200);
      expect(me.body.user.email).toBe('owner@club.test');
      expect(me.body.amr).toEqual(expect.arrayContaining(['hwk', 'mfa']));
      // the bootstrap admin is unaffected by all of it
      await login(t, ADMIN.email, ADMIN.password, { ip: '192.0.2.78' });
    }, 120_000); // 100 argon2id verifies on a loaded machine
  });
});
