import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict } from '../../shared/errors.js';
import { fixingOnOrBefore, type EcbRates } from './ecb-rates.js';
import { currencyOf, decimal, divHalfEven, MINOR_DIGITS } from './money.js';

/**
 * Quarterly chain invoices (F02.09.06). One `ChainInvoiceBatch` per chain and quarter on
 * `chain-invoice-{chain_id}-{quarter}`: a finished quarter is issued once (ChainInvoiceIssued,
 * immutable: later runs change nothing); the running quarter is a draft up to today
 * (ChainInvoiceDrafted), replaced by each later run and issued by the first run after its end.
 */
export const QUARTER = /^(\d{4})-Q([1-4])$/;

export interface QuarterSpan {
  quarter: string;
  start: string;
  end: string;
  days: number;
}

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const ms = (d: string) => Date.parse(`${d}T00:00:00.000Z`);

export function quarterSpan(quarter: string): QuarterSpan {
  const m = QUARTER.exec(quarter);
  if (!m) throw badRequest('validation_failed', 'quarter must look like 2026-Q3', { errors: ['quarter must look like 2026-Q3'] });
  const y = Number(m[1]);
  const q = Number(m[2]);
  const start = Date.UTC(y, (q - 1) * 3, 1);
  const next = Date.UTC(y, q * 3, 1);
  return { quarter, start: day(start), end: day(next - DAY_MS), days: Math.round((next - start) / DAY_MS) };
}

export interface Period {
  joined_at: string | null;
  left_at: string | null;
}

/**
 * Days of [from, to] (inclusive UTC dates) on which the venue was ACTIVE: the joining day counts,
 * the leaving day does not (it is the first day out). A period never joined counts nothing.
 */
export function activeDays(periods: Period[], from: string, to: string): number {
  let total = 0;
  for (const p of periods) {
    if (!p.joined_at) continue;
    const a = Math.max(ms(from), ms(p.joined_at.slice(0, 10)));
    const b = Math.min(ms(to) + DAY_MS, p.left_at ? ms(p.left_at.slice(0, 10)) : Infinity);
    if (b > a) total += Math.round((b - a) / DAY_MS);
  }
  return total;
}

export interface LineItem {
  country: string;
  local_currency: string;
  venues: Array<{ venue_id: string; active_days: number }>;
  active_venue_days: number;
  quarter_days: number;
  eur_amount_minor: number;
  ecb_rate_used: string;
  ecb_rate_date: string | null;
  local_amount_minor: number;
}

export interface BatchData {
  batch_id: string;
  chain_id: string;
  quarter: string;
  /** The last day billed: the quarter's end when issued, today for a draft. */
  as_of: string;
  price_eur_minor: number;
  line_items: LineItem[];
  total_eur_minor: number;
  generated_at: string;
}

export type InvoiceEvent = DomainEvent<'ChainInvoiceDrafted', BatchData> | DomainEvent<'ChainInvoiceIssued', BatchData>;

export interface InvoiceState {
  status: 'NONE' | 'DRAFT' | 'ISSUED';
  batch: BatchData | null;
}

export const invoiceStream = (chainId: string, quarter: string) => `chain-invoice-${chainId}-${quarter}`;
export const invoiceEvolver = {
  initialState: (): InvoiceState => ({ status: 'NONE', batch: null }),
  evolve: (_s: InvoiceState, e: InvoiceEvent): InvoiceState => ({
    status: e.type === 'ChainInvoiceIssued' ? 'ISSUED' : 'DRAFT',
    batch: e.data,
  }),
};

/** One line per country: the prorated EUR price, converted once per line with the ECB fixing, rounded half-even. */
export function computeLines(
  venues: Array<{ venue_id: string; country: string | null; periods: Period[] }>,
  span: QuarterSpan,
  asOf: string,
  priceEurMinor: number,
  rates: EcbRates,
): LineItem[] {
  const byCountry = new Map<string, Array<{ venue_id: string; active_days: number }>>();
  for (const v of venues) {
    const days = activeDays(v.periods, span.start, asOf);
    if (days === 0) continue;
    if (!currencyOf(v.country))
      throw conflict(
        'currency_not_supported',
        `Venue ${v.venue_id} is in ${v.country ?? 'no country'}, where the platform does not invoice.`,
        {
          venue_id: v.venue_id,
        },
      );
    byCountry.set(v.country!, [...(byCountry.get(v.country!) ?? []), { venue_id: v.venue_id, active_days: days }]);
  }
  const P = BigInt(priceEurMinor);
  const D = BigInt(span.days);
  return [...byCountry.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([country, list]) => {
      const cur = currencyOf(country)!;
      const sum = list.reduce((n, v) => n + v.active_days, 0);
      const eur = divHalfEven(P * BigInt(sum), D);
      let rate = '1';
      let rateDate: string | null = null;
      let local = eur;
      if (cur !== 'EUR') {
        const f = fixingOnOrBefore(rates, cur, asOf);
        if (!f) throw conflict('ecb_rate_missing', `The ECB rates have no ${cur} fixing on or before ${asOf}.`, { currency: cur });
        rate = f.rate;
        rateDate = f.date;
        const { units, scale } = decimal(f.rate);
        // local minor = EUR cents / 100 * rate * 10^digits, one rounding on the exact product
        local = divHalfEven(P * BigInt(sum) * units * 10n ** BigInt(MINOR_DIGITS[cur] ?? 2), D * scale * 100n);
      }
      return {
        country,
        local_currency: cur,
        venues: [...list].sort((a, b) => (a.venue_id < b.venue_id ? -1 : 1)),
        active_venue_days: sum,
        quarter_days: span.days,
        eur_amount_minor: Number(eur),
        ecb_rate_used: rate,
        ecb_rate_date: rateDate,
        local_amount_minor: Number(local),
      };
    });
}

/**
 * Issued once; a draft while the quarter runs; nothing before it starts. A draft identical to the
 * one on record (same day, same lines) appends nothing, so an hourly job adds at most one draft a
 * day. With `skip_empty` (the scheduled job) a quarter in which no venue was active and that has
 * no draft is left without a batch, rather than issuing an empty one for every chain.
 */
export function decideGenerate(
  s: InvoiceState,
  cmd: {
    span: QuarterSpan;
    today: string;
    compute: (asOf: string) => Omit<BatchData, 'as_of' | 'generated_at'>;
    now: Date;
    skip_empty?: boolean;
  },
): InvoiceEvent[] {
  if (s.status === 'ISSUED') return [];
  if (cmd.today < cmd.span.start) throw conflict('quarter_not_started', `${cmd.span.quarter} has not started yet.`);
  const finished = cmd.today > cmd.span.end;
  const asOf = finished ? cmd.span.end : cmd.today;
  const data: BatchData = { ...cmd.compute(asOf), as_of: asOf, generated_at: cmd.now.toISOString() };
  if (cmd.skip_empty && s.status === 'NONE' && data.line_items.length === 0) return [];
  if (!finished && s.status === 'DRAFT' && s.batch!.as_of === asOf && sameLines(s.batch!, data)) return [];
  return [{ type: finished ? 'ChainInvoiceIssued' : 'ChainInvoiceDrafted', data }];
}

const sameLines = (a: BatchData, b: BatchData) =>
  a.price_eur_minor === b.price_eur_minor && JSON.stringify(a.line_items) === JSON.stringify(b.line_items);

/** The quarter a moment falls in (UTC), e.g. 2026-Q3. */
export const quarterOf = (now: Date) => `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
/** The quarter before: 2026-Q1 -> 2025-Q4. */
export function previousQuarter(quarter: string): string {
  const [, y, q] = QUARTER.exec(quarter)!;
  return Number(q) === 1 ? `${Number(y) - 1}-Q4` : `${y}-Q${Number(q) - 1}`;
}
