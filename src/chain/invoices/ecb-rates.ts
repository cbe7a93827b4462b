import { badRequest } from '../../shared/errors.js';
import { firstZipEntry } from './zip-entry.js';

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
      addFixing(byCurrency, cur, date, v);
    }
  }
  return sorted(byCurrency);
}

function addFixing(byCurrency: EcbRates['byCurrency'], cur: string, date: string, rate: string) {
  if (!RATE.test(rate)) throw badRequest('ecb_rates_invalid', `The ECB rates file has an unreadable ${cur} rate on ${date}.`);
  const list = byCurrency.get(cur) ?? [];
  list.push({ date, rate });
  byCurrency.set(cur, list);
}

function sorted(byCurrency: EcbRates['byCurrency']): EcbRates {
  for (const list of byCurrency.values()) list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { byCurrency };
}

/**
 * The ECB's `eurofxref-hist.xml`: a gesmes:Envelope whose outer `<Cube>` holds one
 * `<Cube time='YYYY-MM-DD'>` per TARGET business day (newest first), each with
 * `<Cube currency='USD' rate='1.0811'/>` per currency that was fixed that day (a currency without a
 * fixing is simply absent). Attributes are read in either quote style. Only Cube elements are
 * read; no entity, DTD or external reference is ever resolved (it is not a general XML parser).
 */
export function parseEurofxrefXml(text: string): EcbRates {
  if (!/<(?:\w+:)?Envelope\b/.test(text) || !/<Cube\b/.test(text))
    throw badRequest('ecb_rates_invalid', 'The ECB rates XML has no gesmes:Envelope with Cube elements.');
  const byCurrency = new Map<string, Array<{ date: string; rate: string }>>();
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:'([^']*)'|"([^"]*)")`).exec(tag);
  let day: string | null = null;
  for (const m of text.matchAll(/<Cube\b([^>]*)>/g)) {
    const tag = m[1]!;
    const time = attr(tag, 'time');
    if (time) {
      day = (time[1] ?? time[2])!;
      if (!DATE.test(day)) throw badRequest('ecb_rates_invalid', `The ECB rates XML has an unreadable time "${day.slice(0, 20)}".`);
      continue;
    }
    const cur = attr(tag, 'currency');
    const rate = attr(tag, 'rate');
    if (!cur || !rate) continue; // the outer <Cube>
    if (!day) throw badRequest('ecb_rates_invalid', 'The ECB rates XML has a rate outside a dated Cube.');
    addFixing(byCurrency, (cur[1] ?? cur[2])!, day, (rate[1] ?? rate[2])!);
  }
  return sorted(byCurrency);
}

/**
 * The rates in any of the ECB's published layouts, told apart by content: `eurofxref-hist.zip`
 * (a ZIP holding the CSV), `eurofxref-hist.xml`, or `eurofxref-hist.csv` itself.
 */
export function parseEurofxref(bytes: Buffer): EcbRates {
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    const entry = firstZipEntry(bytes, /\.(csv|xml)$/i);
    return parseEurofxref(entry);
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  return text.trimStart().startsWith('<') ? parseEurofxrefXml(text) : parseEurofxrefCsv(text);
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
