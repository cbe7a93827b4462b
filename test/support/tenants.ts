import { CommandBus } from '@nestjs/cqrs';
import { BootstrapTenant } from '../../src/identity/tenants/tenant.handlers.js';
import type { TenantType } from '../../src/identity/tenants/tenant.decider.js';
import type { TestApp } from './test-app.js';

/**
 * A further tenant with its first administrator, through the same command the bootstrap uses
 * (there is no HTTP endpoint for creating tenants yet). Its admin holds every sys role, like the
 * bootstrap admin: tests that need a plain tenant admin add one through the members API.
 */
export async function createTenant(
  t: TestApp,
  opts: { name: string; adminEmail: string; adminPassword: string; type?: TenantType },
): Promise<{ tenant_id: string; user_id: string }> {
  const r = await t.app
    .get(CommandBus)
    .execute(new BootstrapTenant(opts.name, opts.type ?? 'FEDERATION', opts.adminEmail, opts.adminPassword));
  await t.settle();
  return { tenant_id: r.tenant_id, user_id: r.user_id };
}
