import { logger } from '../../shared/logger.js';
import type { CliCommand } from '../command.js';

const QUARTER = /^\d{4}-Q[1-4]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `invoices:generate --quarter 2026-Q3 [--chain <id>]`: what the quarterly job does, for one chain or all. */
export const invoicesGenerateCommand: CliCommand = {
  name: 'invoices:generate',
  synopsis: '--quarter <YYYY-Qn> [--chain <chain id>]',
  summary: 'issue (finished quarter) or draft (running quarter) the chain invoice batches; prints one JSON line per batch',
  options: { quarter: { type: 'string' }, chain: { type: 'string' } },
  validate({ values }) {
    if (typeof values.quarter !== 'string' || !QUARTER.test(values.quarter)) return '--quarter must look like 2026-Q3';
    if (values.chain !== undefined && (typeof values.chain !== 'string' || !UUID.test(values.chain)))
      return '--chain must be a chain id (UUID)';
    return null;
  },
  async run({ values }, ctx) {
    logger.level = 'silent';
    const [{ createApp }, { ChainInvoiceRunner }] = await Promise.all([
      import('../../app.factory.js'),
      import('../../chain/invoices/invoice.jobs.js'),
    ]);
    const app = await createApp({ config: { ...ctx.config, bootstrap: null }, clock: ctx.clock, runWorkers: false });
    try {
      const runs = await app
        .get(ChainInvoiceRunner)
        .run([String(values.quarter)], { chainId: values.chain ? String(values.chain).toLowerCase() : undefined });
      for (const r of runs)
        if (r.ok)
          ctx.out(
            JSON.stringify({
              chain_id: r.chain_id,
              batch_id: r.result.batch!.batch_id,
              status: r.result.status,
              as_of: r.result.batch!.as_of,
              total_eur_minor: r.result.batch!.total_eur_minor,
            }),
          );
        else ctx.err(JSON.stringify({ chain_id: r.chain_id, error: r.error, detail: r.detail }));
      return runs.some((r) => !r.ok) ? 1 : 0;
    } finally {
      await app.close();
    }
  },
};
