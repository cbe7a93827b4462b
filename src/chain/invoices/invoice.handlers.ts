import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { APP_CONFIG } from '../../config/config.js';
import type { AppConfig } from '../../config/config.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { conflict } from '../../shared/errors.js';
import type { ChainMembershipView } from '../../../projections/chain-memberships.js';
import type { TierSnapshotDoc } from '../../../projections/tenant-tiers.js';
import { parseEurofxref, type EcbRates } from './ecb-rates.js';
import {
  computeLines,
  decideGenerate,
  invoiceEvolver,
  invoiceStream,
  quarterSpan,
  type BatchData,
  type InvoiceEvent,
  type InvoiceState,
  type Period,
} from './invoice.decider.js';

/**
 * The ECB rates: ECB_RATES_FILE, else ECB_RATES_URL, read per run; either in any of the ECB's
 * layouts (eurofxref-hist.zip, .xml or .csv, told apart by content).
 */
@Injectable()
export class EcbRatesSource {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}
  async load(): Promise<EcbRates> {
    const { ecbRatesFile, ecbRatesUrl } = this.config.chainInvoices;
    if (ecbRatesFile) return parseEurofxref(await readFile(ecbRatesFile));
    if (ecbRatesUrl) {
      const res = await fetch(ecbRatesUrl, { signal: AbortSignal.timeout(20_000) }).catch((e: Error) => {
        throw conflict('ecb_rates_unavailable', `The ECB rates could not be fetched (${e.name}).`);
      });
      if (!res.ok) throw conflict('ecb_rates_unavailable', `The ECB rates could not be fetched (HTTP ${res.status}).`);
      return parseEurofxref(Buffer.from(await res.arrayBuffer()));
    }
    throw conflict('ecb_rates_unavailable', 'Neither ECB_RATES_FILE nor ECB_RATES_URL is configured.');
  }
}

export class GenerateChainInvoice {
  constructor(
    readonly chainId: string,
    readonly quarter: string,
    /** The scheduled job's options: rates loaded once per run for every chain, and no empty batch. */
    readonly options: { rates?: () => Promise<EcbRates>; skipEmpty?: boolean } = {},
  ) {}
}

/** The batch id is derived from chain and quarter: a draft and the batch it becomes share one id. */
export const batchIdFor = (chainId: string, quarter: string) => {
  const h = createHash('sha256').update(`chain-invoice|${chainId}|${quarter}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** batch is null only when `skipEmpty` left an empty quarter without a batch (status NONE). */
export interface GenerateChainInvoiceResult {
  position: number;
  batch: BatchData | null;
  status: InvoiceState['status'];
}

@CommandHandler(GenerateChainInvoice)
export class GenerateChainInvoiceHandler implements ICommandHandler<GenerateChainInvoice, GenerateChainInvoiceResult> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly rates: EcbRatesSource,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: GenerateChainInvoice): Promise<GenerateChainInvoiceResult> {
    const span = quarterSpan(cmd.quarter);
    const now = this.clock.now();
    const { state } = await this.repo.load(invoiceStream(cmd.chainId, cmd.quarter), invoiceEvolver);
    // an issued batch is answered as it is: no rates, no read models, nothing recomputed
    if (state.status === 'ISSUED') return { position: 0, batch: state.batch!, status: state.status };
    const rates = await (cmd.options.rates ?? (() => this.rates.load()))();
    const venues = await this.venues(cmd.chainId);
    const price = this.config.chainInvoices.venuePriceEurMinor;
    const r = await this.repo.execute<InvoiceState, InvoiceEvent>(invoiceStream(cmd.chainId, cmd.quarter), invoiceEvolver, (s) =>
      decideGenerate(s, {
        span,
        today: now.toISOString().slice(0, 10),
        now,
        skip_empty: cmd.options.skipEmpty,
        compute: (asOf) => {
          const line_items = computeLines(venues, span, asOf, price, rates);
          return {
            batch_id: batchIdFor(cmd.chainId, cmd.quarter),
            chain_id: cmd.chainId,
            quarter: cmd.quarter,
            price_eur_minor: price,
            line_items,
            total_eur_minor: line_items.reduce((n, l) => n + l.eur_amount_minor, 0),
          };
        },
      }),
    );
    return { position: r.position, batch: r.state.batch, status: r.state.status };
  }

  /** Every venue that was ever a member, with its periods (from the membership events' read model) and country. */
  private async venues(chainId: string) {
    const periods = new Map<string, Period[]>();
    let cursor: string | null = null;
    do {
      const page = await this.reads
        .collection<ChainMembershipView>('chain_memberships')
        .find({ where: { chain_id: chainId }, sort: [['invited_at', 'asc']], limit: 200, cursor });
      for (const m of page.items)
        periods.set(m.venue_id, [...(periods.get(m.venue_id) ?? []), { joined_at: m.joined_at, left_at: m.left_at }]);
      cursor = page.next_cursor;
    } while (cursor);
    const tiers = this.reads.collection<TierSnapshotDoc>('tenant_tiers');
    return Promise.all(
      [...periods].map(async ([venue_id, p]) => ({ venue_id, country: (await tiers.get(venue_id))?.country ?? null, periods: p })),
    );
  }
}
