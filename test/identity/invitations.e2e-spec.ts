import { CommandBus } from '@nestjs/cqrs';
import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { addMember, adminLogin, BOOTSTRAP_ENV, login, withTemporaryTotp, type Login } from '../support/identity.js';
import { readOutbox } from '../support/outbox.js';
import { decodeMail } from '../sms-email/support.js';
import { setPolicy } from '../policy/helpers.js';
import { EVENT_STORE, type EventStore } from '../../src/eventstore/event-store.port.js';
import { ExpireInvitations } from '../../src/identity/invitations/invitation.handlers.js';

const DAY = 86_400_000;
const PASSWORD = 'a long enough password 123';

describe('members are invited, not silently added (two tenants, two people)', () => {
  let t: TestApp;
  let adminA: Awaited<ReturnType<typeof adminLogin>>;
  let adminB: Login & { tenant_id: string };
  let tenantB = '';
  const invite = (auth: { Authorization: string }, tenantId: string, body: Record<string, unknown>) =>
    t.http
      .post(`/tenants/${tenantId}/members`)
      .set(auth)
      .send({ display_name: 'Someone', roles: ['member'], ...body });
  /** The accept token mailed for an invitation. */
  const tokenOf = async (invitationId: string): Promise<string> => {
    await t.settle();
    const mail = readOutbox(t.dataDir).find((m) => m.raw.includes(`X-Invitation: ${invitationId}`));
    if (!mail) throw new Error(`no invitation mail for ${invitationId}`);
    const token = new RegExp(`(${invitationId}\\.[A-Za-z0-9_-]{43})`).exec(decodeMail(mail.raw))?.[1];
    if (!token) throw new Error('no token in the mail');
    return token;
  };
  const accept = (auth: { Authorization: string }, token: string) => t.http.post('/invitations/accept').set(auth).send({ token });
  const tenantEvents = async (auth: { Authorization: string }, tenantId: string) =>
    (await t.http.get(`/tenants/${tenantId}/security-events`).set(auth).expect(200)).body.items as Array<{ type: string; details: any }>;
  const ownEvents = async (auth: { Authorization: string }) =>
    (await t.http.get('/auth/security-events').set(auth).query({ limit: 100 }).expect(200)).body.items as Array<{
      type: string;
      details: any;
    }>;

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    adminA = await adminLogin(t);
    // tenant B with its own admin, and Pia, a member of B only
    const b = await t.http
      .post('/sys/tenants')
      .set(adminA.auth)
      .send({
        name: 'Boule Club B',
        tenant_type: 'CLUB',
        country: 'SE',
        admin: { email: 'admin-b@club-b.test', display_name: 'Bea', password: PASSWORD },
      })
      .expect(201);
    tenantB = b.body.tenant_id;
    adminB = { ...(await login(t, 'admin-b@club-b.test', PASSWORD)), tenant_id: tenantB };
    await addMember(t, adminB, { email: 'pia@club-b.test', password: PASSWORD });
    await addMember(t, adminB, { email: 'per@club-b.test', password: PASSWORD });
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.advance(60_000));

  it('answers an existing and a new address the same: 202 { invitation_id }, same headers, nothing else', async () => {
    adminA = await adminLogin(t);
    const existing = await invite(adminA.auth, adminA.tenant_id, { email: 'pia@club-b.test', password: PASSWORD });
    const fresh = await invite(adminA.auth, adminA.tenant_id, { email: 'nova@club-a.test', password: PASSWORD });
    for (const r of [existing, fresh]) {
      expect(r.status).toBe(202);
      expect(Object.keys(r.body)).toEqual(['invitation_id']);
      expect(r.body.invitation_id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const shape = (h: Record<string, string>) =>
      Object.keys(h)
        .filter((k) => !['date', 'content-length', 'etag', 'x-correlation-id'].includes(k))
        .sort();
    expect(shape(existing.headers)).toEqual(shape(fresh.headers));
    expect(existing.text.length).toBe(fresh.text.length);
  });

  it('validates the whole body before the lookup: a weak password is refused for an existing address too', async () => {
    adminA = await adminLogin(t);
    for (const email of ['pia@club-b.test', 'nobody-yet@club-a.test']) {
      expectProblem(await invite(adminA.auth, adminA.tenant_id, { email, password: 'short' }), 400, 'weak_password');
      expectProblem(await invite(adminA.auth, adminA.tenant_id, { email, roles: ['Bad Role'] }), 400, 'validation_failed');
    }
    // nothing was created for the refused new address
    expectProblem(
      await t.http.post('/auth/login').send({ email: 'nobody-yet@club-a.test', password: 'short' }),
      401,
      'invalid_credentials',
    );
  });

  it('makes an existing person a member only after they accept from their own session', async () => {
    adminA = await adminLogin(t);
    const r = await invite(adminA.auth, adminA.tenant_id, { email: 'pia@club-b.test', roles: ['member', 'coach'] }).expect(202);
    // not a member yet: the members list does not show her and she cannot sign in to tenant A
    const members = (await t.http.get(`/tenants/${adminA.tenant_id}/members`).set(adminA.auth).expect(200)).body.items;
    expect(JSON.stringify(members)).not.toContain('pi***@club-b.test');
    const pending = (await t.http.get(`/tenants/${adminA.tenant_id}/invitations`).set(adminA.auth).expect(200)).body.items;
    expect(pending.find((i: { invitation_id: string }) => i.invitation_id === r.body.invitation_id)).toMatchObject({
      email_masked: 'pi***@club-b.test',
      roles: ['coach', 'member'],
    });
    expect(
      (await t.http.post('/auth/login').send({ email: 'pia@club-b.test', password: PASSWORD, tenant_id: adminA.tenant_id })).status,
    ).not.toBe(200);

    const token = await tokenOf(r.body.invitation_id);
    // the token is nowhere in the event log (only its hash)
    const all = await t.app.get<EventStore>(EVENT_STORE, { strict: false }).readAll();
    expect(JSON.stringify(all)).not.toContain(token.split('.')[1]);

    // another signed-in person (tenant B's admin) cannot use it
    expectProblem(await accept(adminB.auth, token), 403, 'invitation_for_another_account');
    // a tampered or malformed token is just invalid
    const pia = await login(t, 'pia@club-b.test', PASSWORD);
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expectProblem(await accept(pia.auth, tampered), 400, 'invalid_invitation');
    expectProblem(await accept(pia.auth, 'garbage'), 400, 'invalid_invitation');
    expectProblem(await t.http.post('/invitations/accept').set(pia.auth).send({}), 400, 'validation_failed');
    expectProblem(await t.http.post('/invitations/accept').send({ token }), 401, 'unauthenticated');

    const ok = await accept(pia.auth, token).expect(200);
    expect(ok.body).toEqual({ tenant_id: adminA.tenant_id, roles: ['coach', 'member'] });
    expectProblem(await accept(pia.auth, token), 409, 'invitation_used');
    const inA = await login(t, 'pia@club-b.test', PASSWORD, { tenantId: adminA.tenant_id });
    expect((await t.http.get('/me').set(inA.auth).expect(200)).body.roles).toEqual(['coach', 'member']);

    await t.settle();
    const a = await tenantEvents(adminA.auth, adminA.tenant_id);
    expect(a.filter((e) => e.details.invitation_id === r.body.invitation_id).map((e) => e.type)).toEqual([
      'invitation_accepted',
      'member_invited',
    ]);
    // tenant B's admins see nothing of tenant A's invitations
    expect((await tenantEvents(adminB.auth, tenantB)).some((e) => e.details?.invitation_id === r.body.invitation_id)).toBe(false);
    const own = await ownEvents(pia.auth);
    expect(own.filter((e) => e.details.invitation_id === r.body.invitation_id).map((e) => e.type)).toEqual([
      'tenant_invitation_accepted',
      'tenant_invitation_received',
    ]);
  });

  it('expires invitations after 7 days: accept answers 410, the sweep records InvitationExpired for tenant and person', async () => {
    adminA = await adminLogin(t);
    const late = await invite(adminA.auth, adminA.tenant_id, { email: 'per@club-b.test', roles: ['scorer'] }).expect(202);
    const swept = await invite(adminA.auth, adminA.tenant_id, { email: 'admin-b@club-b.test', roles: ['scorer'] }).expect(202);
    const token = await tokenOf(late.body.invitation_id);
    t.clock.advance(7 * DAY - 120_000);
    let per = await login(t, 'per@club-b.test', PASSWORD);
    await t.app.get(CommandBus).execute(new ExpireInvitations()); // (older invitations of earlier tests expire here)
    await t.settle();
    const open = (
      await t.http
        .get(`/tenants/${adminA.tenant_id}/invitations`)
        .set((await adminLogin(t)).auth)
        .expect(200)
    ).body.items;
    expect(open.map((i: { invitation_id: string }) => i.invitation_id)).toEqual(
      expect.arrayContaining([late.body.invitation_id, swept.body.invitation_id]),
    );
    t.clock.advance(120_000);
    per = await login(t, 'per@club-b.test', PASSWORD);
    expectProblem(await accept(per.auth, token), 410, 'invitation_expired');
    expectProblem(await accept(per.auth, token), 410, 'invitation_expired');
    expect(await t.app.get(CommandBus).execute(new ExpireInvitations())).toMatchObject({ expired: 1 }); // `late` was expired by the accept
    await t.settle();
    adminA = await adminLogin(t);
    const a = await tenantEvents(adminA.auth, adminA.tenant_id);
    for (const id of [late.body.invitation_id, swept.body.invitation_id])
      expect(a.filter((e) => e.details.invitation_id === id && e.type === 'invitation_expired')).toHaveLength(1);
    expect((await ownEvents(per.auth)).filter((e) => e.type === 'tenant_invitation_expired').map((e) => e.details.invitation_id)).toEqual([
      late.body.invitation_id,
    ]);
    const pending = (await t.http.get(`/tenants/${adminA.tenant_id}/invitations`).set(adminA.auth).expect(200)).body.items;
    expect(pending.map((i: { invitation_id: string }) => i.invitation_id)).not.toContain(late.body.invitation_id);
  });

  it('a new address without a password gets its account at once and a single-use set-password link', async () => {
    adminA = await adminLogin(t);
    await invite(adminA.auth, adminA.tenant_id, { email: 'linus@club-a.test', display_name: 'Linus' }).expect(202);
    expectProblem(await t.http.post('/auth/login').send({ email: 'linus@club-a.test', password: PASSWORD }), 401, 'invalid_credentials');
    await t.settle();
    const mail = readOutbox(t.dataDir).find((m) => m.to.includes('linus@club-a.test') && m.raw.includes('X-Password-Link'));
    const token = /token=([0-9a-f-]{36}\.[A-Za-z0-9_-]+)/.exec(decodeMail(mail!.raw))![1]!;
    await t.http.post('/auth/password/set').send({ token, password: PASSWORD }).expect(200);
    expectProblem(await t.http.post('/auth/password/set').send({ token, password: PASSWORD }), 400, 'invalid_or_expired_token');
    t.clock.advance(60_000);
    const l = await login(t, 'linus@club-a.test', PASSWORD);
    expect((await t.http.get('/me').set(l.auth).expect(200)).body).toMatchObject({ roles: ['member'], tenant: { id: adminA.tenant_id } });
  });

  it('needs step-up to grant tenant_admin or a role the policy requires MFA for, whether or not the address exists', async () => {
    adminA = await adminLogin(t);
    await setPolicy(t, adminA.auth, { required_roles: ['treasurer'], allowed_methods: ['totp'] }).expect(200);
    for (const email of ['pia@club-b.test', 'brand-new@club-a.test'])
      for (const roles of [['tenant_admin'], ['member', 'treasurer'], [' Tenant_Admin ']]) {
        const res = await invite(adminA.auth, adminA.tenant_id, { email, roles, password: PASSWORD });
        if (roles[0] === ' Tenant_Admin ') expectProblem(res, 400, 'validation_failed');
        else expectProblem(res, 403, 'mfa_step_up_required');
      }
    // a tenant B admin's fresh session gains nothing in tenant A
    adminB = { ...(await login(t, 'admin-b@club-b.test', PASSWORD)), tenant_id: tenantB };
    await withTemporaryTotp(t, adminB.auth, async (fresh) => {
      const res = await invite(fresh, adminA.tenant_id, { email: 'pia@club-b.test', roles: ['tenant_admin'] });
      expectProblem(res, 403);
      expect(['tenant_admin_required', 'tenant_context_mismatch']).toContain(res.body.error_code);
    });
    // nothing was created or sent by the refused requests
    expectProblem(
      await t.http.post('/auth/login').send({ email: 'brand-new@club-a.test', password: PASSWORD }),
      401,
      'invalid_credentials',
    );
    // with a fresh second factor it is allowed; an ordinary role never needed one
    await withTemporaryTotp(t, adminA.auth, async (fresh) => {
      await invite(fresh, adminA.tenant_id, { email: 'brand-new@club-a.test', roles: ['treasurer'], password: PASSWORD }).expect(202);
    });
    await invite(adminA.auth, adminA.tenant_id, { email: 'plain@club-a.test', roles: ['member'], password: PASSWORD }).expect(202);
  });
});
