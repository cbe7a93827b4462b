import { addMember, BOOTSTRAP_ENV, login } from '../support/identity.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTenant, PASSWORD, rootOperator, type Auth, type Tenant } from '../tier/support.js';
import { createChain, createVenue, link } from '../chain/support.js';

export interface Player {
  user_id: string;
  auth: Auth;
  email: string;
}

/** Everyone logged in by these helpers, so a test that moves the clock past the token lifetime can log them in again. */
const sessions: Array<{ auth: Auth; email: string; password: string; tenantId: string }> = [];
const remember = (auth: Auth, email: string, password: string, tenantId: string) => sessions.push({ auth, email, password, tenantId });

/**
 * Logs the remembered callers in again (same objects: the new token replaces the old one in
 * place): those given, or every one. Each login is an argon2id hash, so a test that moves the
 * clock often names the callers it still uses (a world has eleven).
 */
export async function relogin(t: TestApp, only?: readonly Auth[]): Promise<void> {
  for (const s of sessions)
    if (!only || only.includes(s.auth))
      s.auth.Authorization = (await login(t, s.email, s.password, { tenantId: s.tenantId })).auth.Authorization;
}

/** A person added to a tenant by its admin, logged in there. */
export async function person(t: TestApp, tenant: Tenant, email: string, roles = ['member'], display_name?: string): Promise<Player> {
  const m = await addMember(t, { auth: tenant.admin, tenant_id: tenant.tenant_id }, { email, roles, display_name });
  const auth = (await login(t, email, m.password, { tenantId: tenant.tenant_id })).auth;
  remember(auth, email, m.password, tenant.tenant_id);
  return { user_id: m.user_id, auth, email };
}

/**
 * Two chains: A (code `codeA`) with venues V1 and V2, B with V3; V4 is a venue of no chain. Staff:
 * `staff1` (role staff at V1), the admins of V2/V3/V4 act as their venues' staff; `member1` is a
 * plain member of V1.
 */
export async function world(codeA: string, codeB: string, env: Record<string, string> = {}) {
  const t = await startTestApp({ env: { ...BOOTSTRAP_ENV, ...env } });
  const op = await rootOperator(t);
  const A = await createChain(t, op.auth, codeA);
  const B = await createChain(t, op.auth, codeB);
  const V1 = await createVenue(t, op.auth, 'V1');
  const V2 = await createVenue(t, op.auth, 'V2');
  const V3 = await createVenue(t, op.auth, 'V3');
  const V4 = await createVenue(t, op.auth, 'V4');
  const club = await createTenant(t, op.auth, 'CLUB', 'club');
  for (const x of [A, B, V1, V2, V3, V4, club]) remember(x.admin, x.email, PASSWORD, x.tenant_id);
  await link(t, A, V1);
  await link(t, A, V2);
  await link(t, B, V3);
  const staff1 = await person(t, V1, `staff@${codeA.toLowerCase()}-v1.test`, ['staff']);
  const member1 = await person(t, V1, `member@${codeA.toLowerCase()}-v1.test`);
  return { t, op, A, B, V1, V2, V3, V4, club, staff1, member1 };
}

export type World = Awaited<ReturnType<typeof world>>;

/** Creates the caller's passport in a chain (201 expected) and returns its id. */
export async function createPassport(t: TestApp, p: Player, chainId: string, display_name?: string): Promise<string> {
  const res = await t.http
    .post('/chain/passports')
    .set(p.auth)
    .send({ chain_id: chainId, ...(display_name ? { display_name } : {}) });
  if (res.status !== 201) throw new Error(`create passport: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.passport_id as string;
}

export async function qrToken(t: TestApp, p: Player, passportId: string): Promise<string> {
  const res = await t.http.get(`/chain/passports/${passportId}/qr`).set(p.auth);
  if (res.status !== 200) throw new Error(`qr: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.qr_token as string;
}

export const checkIn = (t: TestApp, staff: Auth, passportId: string, venueId: string, qr_token: string) =>
  t.http.post(`/chain/passports/${passportId}/check-in`).set(staff).send({ venue_id: venueId, qr_token });

export const award = (t: TestApp, staff: Auth, passportId: string, venueId: string, points: number, reason = 'tournament win') =>
  t.http.post(`/chain/passports/${passportId}/award-points`).set(staff).send({ venue_id: venueId, points, reason });
