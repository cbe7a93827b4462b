import { badRequest } from '../../shared/errors.js';

/**
 * The ECB's euro reference rates in its published `eurofxref-hist.csv` layout: a header
 * `Date,USD,JPY,…,` (one column per currency, a trailing comma), then one row per TARGET business
 * day, newest first, `N/A` (or empty) where a currency had no fixing. Weekends and TARGET holidays
 * have no row. Rates stay decimal strings, exactly as published, so no float ever touches money.
 */
export interface EcbRates {
  /** currency -> fixings sorted by date ascending. */
  byCurrency: Map<string, Array<{ date: string; rate: string }>>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RATE = /^\d+(\.\d+)?$/;

export function parseEurofxrefCsv(text: string): EcbRates {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim());
  if (header[0] !== 'Date') throw badRequest('ecb_rates_invalid', 'The ECB rates file does not start with a Date column.');
  const byCurrency = new Map<string, Array<{ date: string; rate: string }>>();
  for (const line of lines) {
    const cells = line.split(',').map((c) => c.trim());
    const date = cells[0]!;
    if (!DATE.test(date)) throw badRequest('ecb_rates_invalid', `The ECB rates file has a row without a date: "${line.slice(0, 40)}".`);
    for (let i = 1; i < header.length; i++) {
      const cur = header[i]!;
      const v = cells[i] ?? '';
      if (!cur || v === '' || v === 'N/A') continue;
      if (!RATE.test(v)) throw badRequest('ecb_rates_invalid', `The ECB rates file has an unreadable ${cur} rate on ${date}.`);
      const list = byCurrency.get(cur) ?? [];
      list.push({ date, rate: v });
      byCurrency.set(cur, list);
    }
  }
  for (const list of byCurrency.values()) list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { byCurrency };
}

/** The last fixing on or before `day` (YYYY-MM-DD), or null when the file has none. */
export function fixingOnOrBefore(rates: EcbRates, currency: string, day: string): { date: string; rate: string } | null {
  const list = rates.byCurrency.get(currency);
  if (!list) return null;
  let lo = 0;
  let hi = list.length - 1;
  let found: { date: string; rate: string } | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.date <= day) {
      found = list[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
