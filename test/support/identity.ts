import { READ_STORE, type ReadStore } from '../../src/readstore/read-store.port.js';
import type { UserView } from '../../projections/users.js';
import { totpAt } from './totp.js';
import type { TestApp } from './test-app.js';

export const ADMIN = { email: 'admin@federation.test', password: 'correct horse battery staple' };

/** Env that makes the app bootstrap a federation tenant and its admin on start. */
export const BOOTSTRAP_ENV = {
  BOOTSTRAP_TENANT_NAME: 'Svenska Boulefederationen',
  BOOTSTRAP_TENANT_TYPE: 'FEDERATION',
  BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
};

export const UA = {
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};

/** The Authorization header for an access token. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface Login {
  access_token: string;
  refresh_token: string;
  session_id: string;
  auth: { Authorization: string };
}

export async function login(
  t: TestApp,
  email: string,
  password: string,
  opts: { ua?: string; ip?: string; deviceToken?: string; tenantId?: string } = {},
): Promise<Login> {
  let req = t.http.post('/auth/login').set('User-Agent', opts.ua ?? UA.firefoxWindows);
  if (opts.ip) req = req.set('X-Forwarded-For', opts.ip);
  if (opts.deviceToken) req = req.set('X-Device-Token', opts.deviceToken);
  const res = await req.send({ email, password, ...(opts.tenantId ? { tenant_id: opts.tenantId } : {}) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, auth: { Authorization: `Bearer ${res.body.access_token}` } };
}

/** Logs in as the bootstrap admin and returns its session and tenant id. */
export async function adminLogin(t: TestApp): Promise<Login & { tenant_id: string; user_id: string }> {
  const l = await login(t, ADMIN.email, ADMIN.password);
  const me = await t.http.get('/me').set(l.auth);
  return { ...l, tenant_id: me.body.tenant.id, user_id: me.body.user.id };
}

/**
 * Creates a member (a new address) through the members API: 202 { invitation_id }, the account
 * and membership exist at once. The user id is read from the users read model, since the API
 * answers the same for new and existing addresses and so never returns it.
 */
export async function addMember(
  t: TestApp,
  admin: { auth: { Authorization: string }; tenant_id: string },
  member: { email: string; roles?: string[]; language?: 'sv' | 'en'; password?: string; display_name?: string },
): Promise<{ user_id: string; password: string; invitation_id: string }> {
  const password = member.password ?? 'a long enough password 123';
  const send = (auth: { Authorization: string }) =>
    t.http
      .post(`/tenants/${admin.tenant_id}/members`)
      .set(auth)
      .send({
        email: member.email,
        display_name: member.display_name ?? member.email.split('@')[0],
        roles: member.roles ?? ['member'],
        password,
        ...(member.language ? { language: member.language } : {}),
      });
  let res = await send(admin.auth);
  // privileged roles need step-up (tested in test/identity/invitations.e2e-spec.ts); here the admin just provides it
  if (res.status === 403 && res.body.error_code === 'mfa_step_up_required') res = await withTemporaryTotp(t, admin.auth, send);
  if (res.status !== 202) throw new Error(`add member failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user_id: await userIdOf(t, member.email), password, invitation_id: res.body.invitation_id };
}

/**
 * Runs `fn` with a fresh second factor on the caller's session, from a TOTP enrolled for the
 * purpose and removed afterwards, so the caller's factors are as before (only the audit shows
 * it). A caller that already has TOTP must step up itself. Moves the clock one TOTP step.
 */
export async function withTemporaryTotp<R>(
  t: TestApp,
  auth: { Authorization: string },
  fn: (fresh: { Authorization: string }) => Promise<R>,
): Promise<R> {
  const e = await t.http.post('/auth/mfa/totp/enroll').set(auth).send({});
  if (e.status !== 200) throw new Error(`step up the admin yourself (totp enroll: ${e.status} ${JSON.stringify(e.body)})`);
  const c = await t.http
    .post('/auth/mfa/totp/confirm')
    .set(auth)
    .send({ code: totpAt(e.body.secret, t.clock.now()) });
  if (c.status !== 200) throw new Error(`totp confirm: ${c.status} ${JSON.stringify(c.body)}`);
  t.clock.advance(30_000);
  const v = await t.http
    .post('/auth/mfa/totp/verify')
    .set(auth)
    .send({ code: totpAt(e.body.secret, t.clock.now()) });
  if (v.status !== 200) throw new Error(`totp verify: ${v.status} ${JSON.stringify(v.body)}`);
  const fresh = bearer(v.body.access_token);
  const result = await fn(fresh);
  const d = await t.http.delete('/auth/mfa/totp').set(fresh);
  if (d.status !== 204) throw new Error(`totp disable: ${d.status} ${JSON.stringify(d.body)}`);
  return result;
}

/** The user id of an address, from the users read model (the test reads what a projection wrote). */
export async function userIdOf(t: TestApp, email: string): Promise<string> {
  const page = await t.app
    .get<ReadStore>(READ_STORE, { strict: false })
    .collection<UserView>('users')
    .find({ where: { email: email.trim().toLowerCase() }, limit: 1 });
  if (!page.items[0]) throw new Error(`no user ${email}`);
  return page.items[0].id;
}
