import { expectProblem, startTestApp, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { codeOf, eventually } from '../sms-email/support.js';
import { secondTenant, stepUp, withTotp } from './support.js';

describe('e-mail change (issue 16 item 3)', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof adminLogin>>;
  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    t.clock.advance(3600_000);
    admin = await adminLogin(t);
  });

  const codeMail = (to: string, n = 0) =>
    eventually(t, () => readOutbox(t.dataDir).filter((m) => /X-Email-Change:/.test(m.raw) && m.to.includes(to))[n]);

  it('changes only after the code sent to the new address is confirmed; the old address gets a notice and no longer signs in', async () => {
    const m = await addMember(t, admin, { email: 'old@club.test' });
    const u = await login(t, 'old@club.test', m.password);
    expectProblem(
      await t.http.post('/me/email').set(u.auth).send({ new_email: 'new@club.test', password: 'wrong password!!' }),
      401,
      'invalid_credentials',
    );
    t.clock.advance(2000);
    const res = await t.http.post('/me/email').set(u.auth).send({ new_email: 'New@Club.test', password: m.password }).expect(202);
    expect(res.body).toEqual({ pending: true, expires_in: 300 });
    const mail = await codeMail('new@club.test');
    const notice = await eventually(t, () =>
      readOutbox(t.dataDir).find((x) => /X-Email-Change-Notice:/.test(x.raw) && x.to.includes('old@club.test')),
    );
    expect(notice.raw).not.toContain('new@club.test'); // masked in the notice
    // nothing changed yet
    expect((await t.http.get('/me').set(u.auth).expect(200)).body.user.email).toBe('old@club.test');

    const code = codeOf(mail.raw.split('\n\n').slice(1).join('\n'));
    expectProblem(
      await t.http
        .post('/me/email/confirm')
        .set(u.auth)
        .send({ code: code === '000000' ? '111111' : '000000' }),
      400,
      'invalid_code',
    );
    // under the brute-force counter like every code check
    expectProblem(await t.http.post('/me/email/confirm').set(u.auth).send({ code }), 429, 'too_many_attempts');
    t.clock.advance(2000);
    expect((await t.http.post('/me/email/confirm').set(u.auth).send({ code }).expect(200)).body).toEqual({ email: 'new@club.test' });
    expect((await t.http.get('/me').set(u.auth).expect(200)).body.user.email).toBe('new@club.test');
    expectProblem(await t.http.post('/me/email/confirm').set(u.auth).send({ code }), 400, 'no_pending_email_change');

    expectProblem(await t.http.post('/auth/login').send({ email: 'old@club.test', password: m.password }), 401, 'invalid_credentials');
    const again = await login(t, 'new@club.test', m.password);
    await t.settle();
    const types = (await t.http.get('/auth/security-events').set(again.auth).expect(200)).body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['email_change_requested', 'email_changed']));
    expect(readOutbox(t.dataDir).filter((x) => x.securityEvent === 'email_changed' && x.to.includes('new@club.test'))).toHaveLength(1);
    // the members list of the tenant shows the new address (masked)
    const list = await t.http.get(`/tenants/${admin.tenant_id}/members`).set(admin.auth).expect(200);
    expect(list.body.items.find((i: { user_id: string }) => i.user_id === m.user_id).email_masked).toMatch(/^n.*@club\.test$/);
  });

  it('keeps addresses unique across tenants: a taken address is refused at confirmation (409), a released one can be taken', async () => {
    const a = await addMember(t, admin, { email: 'alice@club.test' });
    const other = await secondTenant(t, 'bertil@other.test', 'bertil long password 1');
    // bertil (tenant B) asks for alice's address: same answer as for a free one (no oracle) ...
    await t.http.post('/me/email').set(other.auth).send({ new_email: 'alice@club.test', password: 'bertil long password 1' }).expect(202);
    const code = codeOf((await codeMail('alice@club.test')).raw.split('\n\n').slice(1).join('\n'));
    // ... and only the holder of that mailbox, who reads the code, learns it is taken
    expectProblem(await t.http.post('/me/email/confirm').set(other.auth).send({ code }), 409, 'email_taken');
    await login(t, 'alice@club.test', a.password);

    // alice moves; her old address is free and bertil can take it
    const alice = await login(t, 'alice@club.test', a.password);
    await t.http.post('/me/email').set(alice.auth).send({ new_email: 'alice2@club.test', password: a.password }).expect(202);
    await t.http
      .post('/me/email/confirm')
      .set(alice.auth)
      .send({ code: codeOf((await codeMail('alice2@club.test')).raw.split('\n\n').slice(1).join('\n')) })
      .expect(200);
    t.clock.advance(3600_000);
    const bertil = await login(t, 'bertil@other.test', 'bertil long password 1');
    await t.http.post('/me/email').set(bertil.auth).send({ new_email: 'alice@club.test', password: 'bertil long password 1' }).expect(202);
    const code2 = codeOf((await codeMail('alice@club.test', 1)).raw.split('\n\n').slice(1).join('\n'));
    await t.http.post('/me/email/confirm').set(bertil.auth).send({ code: code2 }).expect(200);
    await login(t, 'alice@club.test', 'bertil long password 1');
    await login(t, 'alice2@club.test', a.password);
    // bertil's old address is free again: a new member can be created with it
    const newcomer = await addMember(t, await adminLogin(t), { email: 'bertil@other.test' });
    await login(t, 'bertil@other.test', newcomer.password);
  });

  it('needs step-up once the person has a second factor; bad input names the field', async () => {
    const m = await addMember(t, admin, { email: 'factor@club.test' });
    const u = await login(t, 'factor@club.test', m.password);
    const { secret } = await withTotp(t, u);
    t.clock.advance(600_000);
    const stale = await login(t, 'factor@club.test', m.password);
    expectProblem(
      await t.http.post('/me/email').set(stale.auth).send({ new_email: 'x@club.test', password: m.password }),
      403,
      'mfa_step_up_required',
    );
    const fresh = await stepUp(t, stale.auth, secret);
    await t.http.post('/me/email').set(fresh).send({ new_email: 'x@club.test', password: m.password }).expect(202);

    for (const [path, body, field] of [
      ['/me/email', { new_email: 'nope', password: 'x' }, 'new_email'],
      ['/me/email', { new_email: 'a@b.test' }, 'password'],
      ['/me/email/confirm', { code: '12' }, 'code'],
      ['/me/email/confirm', {}, 'code'],
    ] as const) {
      const res = await t.http.post(path).set(fresh).send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.body)).toContain(field);
    }
    expectProblem(await t.http.post('/me/email').send({ new_email: 'a@b.test', password: 'x' }), 401, 'unauthenticated');
  });
});
