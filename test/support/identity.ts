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

/** Creates a member through the members API and logs them in. */
export async function addMember(
  t: TestApp,
  admin: { auth: { Authorization: string }; tenant_id: string },
  member: { email: string; roles?: string[]; language?: 'sv' | 'en'; password?: string; display_name?: string },
): Promise<{ user_id: string; password: string }> {
  const password = member.password ?? 'a long enough password 123';
  const res = await t.http
    .post(`/tenants/${admin.tenant_id}/members`)
    .set(admin.auth)
    .send({
      email: member.email,
      display_name: member.display_name ?? member.email.split('@')[0],
      roles: member.roles ?? ['member'],
      password,
      ...(member.language ? { language: member.language } : {}),
    });
  if (res.status !== 201) throw new Error(`add member failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user_id: res.body.user_id, password };
}
