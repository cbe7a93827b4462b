import { writeFile } from 'node:fs/promises';
import { logger } from '../../shared/logger.js';
import type { CliCommand, CliContext } from '../command.js';

/** Boots the app without workers (no reactors, no job runner) and runs one TierJobs method. */
async function withTierJobs<R>(
  ctx: CliContext,
  fn: (jobs: import('../../tenant-tier/tier-jobs.service.js').TierJobs) => Promise<R>,
): Promise<R> {
  logger.level = 'silent';
  // loaded here, not at the top: every other CLI command starts without booting Nest
  const [{ createApp }, { TierJobs }] = await Promise.all([
    import('../../app.factory.js'),
    import('../../tenant-tier/tier-jobs.service.js'),
  ]);
  const app = await createApp({ config: { ...ctx.config, bootstrap: null }, clock: ctx.clock, runWorkers: false });
  try {
    return await fn(app.get(TierJobs));
  } finally {
    await app.close();
  }
}

/** `tiers:expire-addons`: what the 15-minute job does, now. */
export const tiersExpireAddonsCommand: CliCommand = {
  name: 'tiers:expire-addons',
  synopsis: '',
  summary: 'expire every add-on whose expires_at has passed; prints { "expired", "tenant_ids" }',
  async run(_args, ctx) {
    const r = await withTierJobs(ctx, (jobs) => jobs.expireAddons());
    ctx.out(JSON.stringify(r));
    return 0;
  },
};

/** `tiers:audit-matrix [--write]`: what the hourly job does; exit 1 on drift. --write regenerates the repo copy. */
export const tiersAuditMatrixCommand: CliCommand = {
  name: 'tiers:audit-matrix',
  synopsis: '[--write]',
  summary: 'compare the served tier matrix with the published copy (exit 1 on drift); --write regenerates the repo copy',
  options: { write: { type: 'boolean' } },
  async run({ values }, ctx) {
    if (values.write) {
      const [{ publishedMatrixText }, { publishedMatrixFile }] = await Promise.all([
        import('../../tenant-tier/tier-matrix.js'),
        import('../../tenant-tier/tier-jobs.service.js'),
      ]);
      await writeFile(publishedMatrixFile(), publishedMatrixText());
      ctx.out(JSON.stringify({ written: publishedMatrixFile() }));
      return 0;
    }
    const r = await withTierJobs(ctx, (jobs) => jobs.auditMatrix());
    ctx.out(JSON.stringify(r));
    return r.drift ? 1 : 0;
  },
};
