import { ADMIN, login } from './identity.js';
import type { TestApp } from './test-app.js';

/**
 * A further tenant with its first administrator, created over HTTP by the bootstrap admin (a
 * platform operator) through POST /sys/tenants. The new admin is a plain tenant_admin.
 */
export async function createTenant(
  t: TestApp,
  opts: { name: string; adminEmail: string; adminPassword: string; type?: string; country?: string },
): Promise<{ tenant_id: string; user_id: string }> {
  const operator = await login(t, ADMIN.email, ADMIN.password);
  const res = await t.http
    .post('/sys/tenants')
    .set(operator.auth)
    .send({
      name: opts.name,
      tenant_type: opts.type ?? 'FEDERATION',
      country: opts.country ?? 'SE',
      admin: { email: opts.adminEmail, display_name: 'Administrator', password: opts.adminPassword },
    });
  if (res.status !== 201) throw new Error(`create tenant: ${res.status} ${JSON.stringify(res.body)}`);
  await t.settle();
  return { tenant_id: res.body.tenant_id, user_id: res.body.user_id };
}
