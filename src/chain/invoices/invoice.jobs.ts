import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { logger } from '../../shared/logger.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import type { ChainView } from '../../../projections/chains.js';
import type { EcbRates } from './ecb-rates.js';
import { quarterOf, previousQuarter } from './invoice.decider.js';
import { EcbRatesSource, GenerateChainInvoice, type GenerateChainInvoiceResult } from './invoice.handlers.js';

export const CHAIN_INVOICE_JOB = 'chain-invoice-quarterly';
export const CHAIN_INVOICE_EVERY_MS = 60 * 60_000;

export type ChainRun = { chain_id: string; quarter: string } & (
  { ok: true; result: GenerateChainInvoiceResult } | { ok: false; error: string; detail: string }
);

/**
 * Generates the chain invoices of a quarter for every chain (or one): what `invoices:generate`
 * runs by hand and the quarterly job runs on its own. One chain failing does not stop the others.
 */
@Injectable()
export class ChainInvoiceRunner {
  constructor(
    private readonly commands: CommandBus,
    private readonly rates: EcbRatesSource,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  async run(quarters: string[], options: { chainId?: string; skipEmpty?: boolean } = {}): Promise<ChainRun[]> {
    // the rates are read (or fetched) at most once per run, and only when a batch needs them
    let loaded: Promise<EcbRates> | null = null;
    const rates = () => (loaded ??= this.rates.load());
    const out: ChainRun[] = [];
    for (const chain_id of options.chainId ? [options.chainId] : await this.chainIds())
      for (const quarter of quarters) {
        try {
          const result = await this.commands.execute<GenerateChainInvoice, GenerateChainInvoiceResult>(
            new GenerateChainInvoice(chain_id, quarter, { rates, skipEmpty: options.skipEmpty }),
          );
          out.push({ chain_id, quarter, ok: true, result });
        } catch (e) {
          out.push({ chain_id, quarter, ok: false, error: (e as { code?: string }).code ?? 'error', detail: (e as Error).message });
        }
      }
    return out;
  }

  private async chainIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.reads.collection<ChainView>('chains').find({ sort: [['id', 'asc']], limit: 200, cursor });
      ids.push(...page.items.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    return ids;
  }
}

/**
 * The quarterly invoice job, hourly: the first tick after a quarter's last day issues that quarter
 * for every chain (ChainInvoiceIssued, once: an issued batch is never appended to again), and each
 * tick refreshes the running quarter's DRAFT (appending only when a day or a line changed). A
 * repeatable job of the queue (a BullMQ job scheduler on Redis, the embedded runner's schedule
 * otherwise) ticks once per interval however many app processes run; should two ticks ever meet,
 * each batch is decided on its own stream with an expected version, so it is still issued once.
 * Quarters without any active venue and without a draft get no batch.
 */
@Injectable()
export class ChainInvoiceJobs implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly runner: ChainInvoiceRunner,
    private readonly projections: ProjectionEngine,
  ) {}

  async onModuleInit(): Promise<void> {
    this.queue.register(CHAIN_INVOICE_JOB, async () => void (await this.tick()));
    await this.queue.repeat(CHAIN_INVOICE_JOB, {}, { everyMs: CHAIN_INVOICE_EVERY_MS, key: CHAIN_INVOICE_JOB });
  }

  async tick(): Promise<ChainRun[]> {
    const current = quarterOf(this.clock.now());
    const runs = await this.runner.run([previousQuarter(current), current], { skipEmpty: true });
    const position = Math.max(0, ...runs.map((r) => (r.ok ? r.result.position : 0)));
    if (position) await this.projections.waitFor(position, 10_000);
    const failed = runs.filter((r) => !r.ok);
    const issued = runs.filter((r) => r.ok && r.result.position > 0 && r.result.status === 'ISSUED').length;
    if (issued) logger.info({ issued }, 'chain invoices issued');
    // the job is retried with backoff; what succeeded is not appended again
    if (failed.length) throw new Error(`chain invoices failed for ${failed.length} chain quarter(s): ${failed[0]!.error}`);
    return runs;
  }
}
