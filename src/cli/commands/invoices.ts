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
    const [{ createApp }, { CommandBus }, { GenerateChainInvoice }, { READ_STORE }] = await Promise.all([
      import('../../app.factory.js'),
      import('@nestjs/cqrs'),
      import('../../chain/invoices/invoice.handlers.js'),
      import('../../readstore/read-store.port.js'),
    ]);
    const app = await createApp({ config: { ...ctx.config, bootstrap: null }, clock: ctx.clock, runWorkers: false });
    try {
      const reads = app.get<import('../../readstore/read-store.port.js').ReadStore>(READ_STORE);
      const chains = values.chain
        ? [String(values.chain).toLowerCase()]
        : (await reads.collection('chains').find({ sort: [['id', 'asc']], limit: 10_000 })).items.map((c) => c.id);
      let failed = 0;
      for (const chainId of chains) {
        try {
          const r = await app.get(CommandBus).execute(new GenerateChainInvoice(chainId, String(values.quarter)));
          ctx.out(
            JSON.stringify({
              chain_id: chainId,
              batch_id: r.batch.batch_id,
              status: r.status,
              as_of: r.batch.as_of,
              total_eur_minor: r.batch.total_eur_minor,
            }),
          );
        } catch (e) {
          failed++;
          ctx.err(JSON.stringify({ chain_id: chainId, error: (e as { code?: string }).code ?? 'error', detail: (e as Error).message }));
        }
      }
      return failed ? 1 : 0;
    } finally {
      await app.close();
    }
  },
};
