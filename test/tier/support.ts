import { totpAt } from '../../src/mfa/totp/totp.core.js';
import { TENANT_TYPES, type TenantType } from '../../src/identity/tenants/tenant.decider.js';
import { adminLogin, bearer, login, type Login } from '../support/identity.js';
import type { TestApp } from '../support/test-app.js';

export type Auth = { Authorization: string };
export const PASSWORD = 'a long enough password 123';
export { TENANT_TYPES };

/**
 * Enrols TOTP for the logged-in user and returns an access token with a fresh second factor.
 * Confirming binds the app but never upgrades the session (issue 10), so a later code is verified.
 */
export async function freshMfa(t: TestApp, auth: Auth): Promise<Auth> {
  const secret = (await t.http.post('/auth/mfa/totp/enroll').set(auth).expect(200)).body.secret as string;
  const res = await t.http
    .post('/auth/mfa/totp/confirm')
    .set(auth)
    .send({ code: totpAt(secret, t.clock.now().getTime()) });
  if (res.status !== 200) throw new Error(`totp confirm failed: ${res.status} ${JSON.stringify(res.body)}`);
  t.clock.advance(30_000); // the next time step: a code is accepted once
  const v = await t.http
    .post('/auth/mfa/totp/verify')
    .set(auth)
    .send({ code: totpAt(secret, t.clock.now().getTime()) });
  if (v.status !== 200) throw new Error(`totp verify failed: ${v.status} ${JSON.stringify(v.body)}`);
  return bearer(v.body.access_token);
}

/** The bootstrap admin (every sys role), with and without a fresh second factor. */
export async function rootOperator(t: TestApp): Promise<Login & { tenant_id: string; user_id: string; fresh: Auth }> {
  const admin = await adminLogin(t);
  return { ...admin, fresh: await freshMfa(t, admin.auth) };
}

export interface Tenant {
  tenant_id: string;
  admin_id: string;
  admin: Auth;
  email: string;
}

let seq = 0;
/** Creates a tenant of a type through POST /sys/tenants and logs its new admin in. */
export async function createTenant(t: TestApp, op: Auth, type: TenantType, name?: string): Promise<Tenant> {
  const email = `admin${++seq}-${type.toLowerCase()}@tenants.test`;
  const res = await t.http
    .post('/sys/tenants')
    .set(op)
    .send({
      name: name ?? `${type} tenant ${seq}`,
      tenant_type: type,
      country: 'SE',
      admin: { email, display_name: `Admin ${seq}`, password: PASSWORD },
    });
  if (res.status !== 201) throw new Error(`create tenant failed: ${res.status} ${JSON.stringify(res.body)}`);
  const l = await login(t, email, PASSWORD);
  return { tenant_id: res.body.tenant_id, admin_id: res.body.user_id, admin: l.auth, email };
}

/** A person with exactly these sys roles (set by the root operator), logged in. */
export async function operatorWith(t: TestApp, rootFresh: Auth, roles: string[]): Promise<{ user_id: string; auth: Auth }> {
  const tn = await createTenant(t, rootFresh, 'SANDBOX', `ops ${roles.join('+') || 'none'}`);
  await t.http.put(`/sys/users/${tn.admin_id}/sys-roles`).set(rootFresh).send({ sys_roles: roles }).expect(200);
  return { user_id: tn.admin_id, auth: (await login(t, tn.email, PASSWORD)).auth };
}

export const grant = (t: TestApp, op: Auth, tenantId: string, body: Record<string, unknown> = {}) =>
  t.http
    .post(`/sys/tenants/${tenantId}/tier/addons`)
    .set(op)
    .send({ subsystem_id: 'F02.09', reason: 'pilot for the spring season', ...body });
