import { TENANT_TYPES, type TenantType } from '../../identity/tenants/tenant.decider.js';
import { passwordProblem } from '../../identity/users/password.js';
import { logger } from '../../shared/logger.js';
import type { CliCommand } from '../command.js';

/**
 * `bootstrap --tenant-name <n> --tenant-type <T> --admin-email <e> --admin-password <p>`:
 * the first tenant and its tenant_admin (also a platform operator with every sys role).
 * Idempotent: the same e-mail prints the same ids and changes nothing.
 */
export const bootstrapCommand: CliCommand = {
  name: 'bootstrap',
  synopsis: '--tenant-name <n> --tenant-type <T> --admin-email <e> --admin-password <p>',
  summary: 'create the first tenant and its administrator; prints { "tenant_id", "user_id" }',
  options: {
    'tenant-name': { type: 'string' },
    'tenant-type': { type: 'string' },
    'admin-email': { type: 'string' },
    'admin-password': { type: 'string' },
  },
  validate({ values }) {
    for (const k of ['tenant-name', 'tenant-type', 'admin-email', 'admin-password'])
      if (typeof values[k] !== 'string' || !values[k]) return `--${k} is required`;
    if (!TENANT_TYPES.includes(values['tenant-type'] as TenantType)) return `--tenant-type must be one of ${TENANT_TYPES.join(', ')}`;
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(values['admin-email']))) return '--admin-email is not an e-mail address';
    return passwordProblem(String(values['admin-password']))
      ? `--admin-password: ${passwordProblem(String(values['admin-password']))}`
      : null;
  },
  async run({ values }, ctx) {
    logger.level = 'silent';
    // loaded here, not at the top: every other CLI command starts without booting Nest
    const [{ CommandBus }, { createApp }, { ProjectionEngine }, { BootstrapTenant }] = await Promise.all([
      import('@nestjs/cqrs'),
      import('../../app.factory.js'),
      import('../../projections-runtime/projection-engine.js'),
      import('../../identity/tenants/tenant.handlers.js'),
    ]);
    const app = await createApp({ config: { ...ctx.config, bootstrap: null }, clock: ctx.clock, runWorkers: false });
    try {
      const r = await app
        .get(CommandBus)
        .execute(
          new BootstrapTenant(
            String(values['tenant-name']),
            values['tenant-type'] as TenantType,
            String(values['admin-email']),
            String(values['admin-password']),
          ),
        );
      await app.get(ProjectionEngine).waitFor(r.position, 10_000);
      ctx.out(JSON.stringify({ tenant_id: r.tenant_id, user_id: r.user_id }));
      return 0;
    } finally {
      await app.close();
    }
  },
};
