import { login } from '../support/identity.js';
import { expectProblem, type TestApp } from '../support/test-app.js';
import { createTenant, grant, PASSWORD, type Auth, type Tenant } from '../tier/support.js';

export { PASSWORD };
export type { Auth, Tenant };

let seq = 0;

/** A CHAIN tenant created over HTTP by an operator (POST /admin/tenants/chain), its admin logged in. */
export async function createChain(t: TestApp, op: Auth, code: string, country = 'SE'): Promise<Tenant & { chain_code: string }> {
  const email = `chain${++seq}-${code.toLowerCase()}@chains.test`;
  const res = await t.http
    .post('/admin/tenants/chain')
    .set(op)
    .send({ name: `Chain ${code}`, country, chain_code: code, admin: { email, display_name: `Chain admin ${code}`, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`create chain failed: ${res.status} ${JSON.stringify(res.body)}`);
  const l = await login(t, email, PASSWORD);
  return { tenant_id: res.body.chain_id, admin_id: res.body.user_id, admin: l.auth, email, chain_code: code };
}

/**
 * A VENUE tenant with the F02.09 add-on (the matrix keeps chain routes from a bare VENUE: a venue
 * takes part in a chain through the add-on, see README), its admin logged in.
 */
export async function createVenue(t: TestApp, op: Auth, name: string): Promise<Tenant> {
  const v = await createTenant(t, op, 'VENUE', name);
  await grant(t, op, v.tenant_id).expect(201);
  return v;
}

/** A VENUE in the given country with the F02.09 add-on. */
export async function createVenueIn(t: TestApp, op: Auth, name: string, country: string): Promise<Tenant> {
  const email = `venue${++seq}@venues.test`;
  const res = await t.http
    .post('/sys/tenants')
    .set(op)
    .send({ name, tenant_type: 'VENUE', country, admin: { email, display_name: name, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`create venue failed: ${res.status} ${JSON.stringify(res.body)}`);
  await grant(t, op, res.body.tenant_id).expect(201);
  const l = await login(t, email, PASSWORD);
  return { tenant_id: res.body.tenant_id, admin_id: res.body.user_id, admin: l.auth, email };
}

/** Invite by the chain admin and accept by the venue admin: an ACTIVE membership. */
export async function link(t: TestApp, chain: Tenant, venue: Tenant) {
  await t.http.post(`/chain/${chain.tenant_id}/add-venue`).set(chain.admin).send({ venue_tenant_id: venue.tenant_id }).expect(201);
  const r = await t.http.post(`/venue/${venue.tenant_id}/accept-chain/${chain.tenant_id}`).set(venue.admin).expect(200);
  return r.body as { membership_id: string };
}

/** The 400 answer names the field. */
export function expectField(res: Parameters<typeof expectProblem>[0], field: string) {
  expectProblem(res, 400, 'validation_failed');
  expect(String(res.body.detail)).toContain(field);
}
