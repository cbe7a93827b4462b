import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { adminLogin, addMember, BOOTSTRAP_ENV, login, UA } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { DAY, enrolTotp, setPolicy, verifyTotp } from './helpers.js';

type Auth = { Authorization: string };

describe('trusted devices (F02.07.07)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  let kim: { user_id: string; password: string };
  let other: { user_id: string; password: string };
  let secret = '';
  const kimLogin = (deviceToken?: string) => login(t, 'kim@club.test', kim.password, { ua: UA.chromeMac, deviceToken });
  const check = (auth: Auth, token: string) =>
    t.http.get('/auth/mfa/trusted-devices/check').set(auth).set('X-Device-Token', token).expect(200);
  async function addDevice(name?: string): Promise<{ id: string; device_token: string; expires_at: string; auth: Auth }> {
    const auth = await verifyTotp(t, (await kimLogin()).auth, secret);
    const res = await t.http
      .post('/auth/mfa/trusted-devices')
      .set(auth)
      .set('User-Agent', UA.chromeMac)
      .send(name ? { name } : {})
      .expect(201);
    return { ...res.body, auth };
  }

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    admin = await adminLogin(t);
    await setPolicy(t, admin.auth, {
      required_roles: ['treasurer'],
      allowed_methods: ['totp'],
      grace_period_days: 0,
      fresh_window_seconds: 300,
    }).expect(200);
    kim = await addMember(t, admin, { email: 'kim@club.test', roles: ['treasurer'] });
    other = await addMember(t, admin, { email: 'other@club.test', roles: ['treasurer'] });
    secret = (await enrolTotp(t, (await kimLogin()).auth)).secret;
  });
  afterAll(() => t.close());

  it('is added only from an MFA-satisfied, fresh session', async () => {
    const plain = await kimLogin();
    expectProblem(await t.http.post('/auth/mfa/trusted-devices').set(plain.auth).send({}), 401, 'mfa_required');
    const fresh = await verifyTotp(t, plain.auth, secret);
    t.clock.advance(300_001);
    expectProblem(await t.http.post('/auth/mfa/trusted-devices').set(fresh).send({}), 403, 'mfa_step_up_required');
    expectProblem(
      await t.http
        .post('/auth/mfa/trusted-devices')
        .set(await verifyTotp(t, fresh, secret))
        .send({ name: 'x'.repeat(101) }),
      400,
      'validation_failed',
    );
  });

  it('issues a 256-bit token once, lists the device without it, and a login with it skips MFA but not step-up', async () => {
    const added = await addDevice('Work laptop');
    expect(added.device_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(added.expires_at).toBe(new Date(t.clock.now().getTime() + 30 * DAY).toISOString());
    const list = await t.http.get('/auth/mfa/trusted-devices').set(added.auth).expect(200);
    expect(list.body.items).toEqual([
      {
        id: added.id,
        name: 'Work laptop',
        created_at: t.clock.now().toISOString(),
        last_used_at: null,
        expires_at: added.expires_at,
        device: { browser: 'Chrome', os: 'macOS', type: 'desktop' },
        location: null,
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(added.device_token);
    expect((await check(added.auth, added.device_token)).body).toEqual({ trusted: true, id: added.id, expires_at: added.expires_at });
    expect((await check(added.auth, 'A'.repeat(43))).body).toEqual({ trusted: false, id: null, expires_at: null });

    const l = await kimLogin(added.device_token);
    const me = await t.http.get('/me').set(l.auth).expect(200);
    expect(me.body.amr).toEqual(expect.arrayContaining(['pwd', 'trusted_device', 'mfa']));
    expect(me.body.mfa_at).toBeNull();
    await t.http.get('/auth/mfa/policy').set(l.auth).expect(403); // tenant_admin_required: past the MFA gate
    expect((await t.http.get('/auth/mfa/policy').set(l.auth)).body.error_code).toBe('tenant_admin_required');
    expectProblem(await t.http.post('/auth/mfa/trusted-devices').set(l.auth).send({}), 403, 'mfa_step_up_required');
    const after = await t.http.get('/auth/mfa/trusted-devices').set(l.auth).expect(200);
    expect(after.body.items[0].last_used_at).toBe(t.clock.now().toISOString());

    await t.settle();
    const ev = await t.http.get('/auth/security-events?type=trusted_device_added').set(l.auth).expect(200);
    expect(ev.body.items[0].details).toMatchObject({ device_id: added.id, name: 'Work laptop' });
    expect(readOutbox(t.dataDir).filter((m) => m.to.includes('kim@club.test') && m.securityEvent === 'trusted_device_added')).toHaveLength(
      1,
    );
  });

  it('the web app can keep the device token as an httpOnly cookie that login and check read (never in the body)', async () => {
    const auth = await verifyTotp(t, (await kimLogin()).auth, secret);
    const res = await t.http.post('/auth/mfa/trusted-devices').set(auth).send({ name: 'This browser', cookie: true }).expect(201);
    expect(res.body.device_token).toBeUndefined();
    const setCookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('__Secure-pl_device='))!;
    expect(setCookie.toLowerCase()).toEqual(expect.stringContaining('path=/auth'));
    for (const attr of ['httponly', 'secure', 'samesite=strict']) expect(setCookie.toLowerCase()).toContain(attr);
    const cookie = setCookie.split(';')[0]!;
    expect(cookie.split('=')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const checked = await t.http.get('/auth/mfa/trusted-devices/check').set(auth).set('Cookie', cookie).expect(200);
    expect(checked.body).toEqual({ trusted: true, id: res.body.id, expires_at: res.body.expires_at });
    // a login that sends the cookie skips the second factor, like the X-Device-Token header
    const l = await t.http.post('/auth/login').set('Cookie', cookie).send({ email: 'kim@club.test', password: kim.password }).expect(200);
    const me = await t.http.get('/me').set({ Authorization: `Bearer ${l.body.access_token}` }).expect(200);
    expect(me.body.amr).toEqual(expect.arrayContaining(['trusted_device', 'mfa']));
    // another user's login with kim's browser cookie is not trusted
    const o = await t.http.post('/auth/login').set('Cookie', cookie).send({ email: 'other@club.test', password: other.password }).expect(200);
    expect((await t.http.get('/me').set({ Authorization: `Bearer ${o.body.access_token}` })).body.amr).not.toContain('trusted_device');
  });

  it("does not trust another user's token", async () => {
    const added = await addDevice();
    const o = await login(t, 'other@club.test', other.password, { deviceToken: added.device_token });
    const me = await t.http.get('/me').set(o.auth).expect(200);
    expect(me.body.amr).not.toContain('trusted_device');
    expect(me.body.amr).not.toContain('mfa');
    expect((await check(o.auth, added.device_token)).body).toEqual({ trusted: false, id: null, expires_at: null });
  });

  it('expires exactly 30 days after it was added', async () => {
    const added = await addDevice();
    t.clock.advance(30 * DAY - 1);
    let l = await kimLogin(added.device_token);
    expect((await check(l.auth, added.device_token)).body.trusted).toBe(true);
    t.clock.advance(1);
    l = await kimLogin(added.device_token);
    expect((await check(l.auth, added.device_token)).body).toEqual({ trusted: false, id: null, expires_at: null });
    expect((await t.http.get('/me').set(l.auth).expect(200)).body.amr).not.toContain('trusted_device');
    expect(
      (await t.http.get('/auth/mfa/trusted-devices').set(l.auth).expect(200)).body.items.map((d: { id: string }) => d.id),
    ).not.toContain(added.id);
  });

  it('is removed with DELETE (security event and e-mail); a second DELETE is 404', async () => {
    const added = await addDevice('Old phone');
    await t.http.delete(`/auth/mfa/trusted-devices/${added.id}`).set(added.auth).expect(204);
    expect((await check(added.auth, added.device_token)).body.trusted).toBe(false);
    expect((await t.http.get('/me').set((await kimLogin(added.device_token)).auth)).body.amr).not.toContain('trusted_device');
    expectProblem(await t.http.delete(`/auth/mfa/trusted-devices/${added.id}`).set(added.auth), 404, 'trusted_device_not_found');
    expectProblem(await t.http.delete('/auth/mfa/trusted-devices/not-an-id').set(added.auth), 404, 'trusted_device_not_found');
    await t.settle();
    const ev = await t.http.get('/auth/security-events?type=trusted_device_removed').set(added.auth).expect(200);
    expect(ev.body.items[0].details).toMatchObject({ device_id: added.id, name: 'Old phone' });
    expect(readOutbox(t.dataDir).filter((m) => m.securityEvent === 'trusted_device_removed')).toHaveLength(1);
  });

  it('cannot be removed by another user', async () => {
    const added = await addDevice();
    const o = await login(t, 'other@club.test', other.password);
    expectProblem(await t.http.delete(`/auth/mfa/trusted-devices/${added.id}`).set(o.auth), 404, 'trusted_device_not_found');
    expect((await check(added.auth, added.device_token)).body.trusted).toBe(true);
  });

  it('is revoked by revoke-all; a device added afterwards stays trusted', async () => {
    const before = await addDevice();
    await t.http.post('/auth/sessions/revoke-all').set(before.auth).expect(200);
    expect((await check(before.auth, before.device_token)).body.trusted).toBe(false);
    expect((await t.http.get('/me').set((await kimLogin(before.device_token)).auth)).body.amr).not.toContain('trusted_device');
    const after = await addDevice();
    expect((await check(after.auth, after.device_token)).body.trusted).toBe(true);
    expectProblem(await t.http.delete(`/auth/mfa/trusted-devices/${before.id}`).set(after.auth), 404, 'trusted_device_not_found');
  });

  it('is revoked by a password change', async () => {
    const added = await addDevice();
    const l = await kimLogin();
    // Changed with issue 10: a password-only session used to change the password (POST /auth/password was @AllowWithoutMfa)
    expectProblem(
      await t.http.post('/auth/password').set(l.auth).send({ current_password: kim.password, new_password: 'another long password 456' }),
      401,
      'mfa_required',
    );
    await t.http
      .post('/auth/password')
      .set(added.auth)
      .send({ current_password: kim.password, new_password: 'another long password 456' })
      .expect(200);
    kim = { ...kim, password: 'another long password 456' };
    expect((await check(added.auth, added.device_token)).body.trusted).toBe(false);
  });
});
