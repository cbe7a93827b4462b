import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeOf } from '../../../test/support/domain-error.js';
import { fixingOnOrBefore, parseEurofxref, parseEurofxrefCsv, parseEurofxrefXml } from './ecb-rates.js';
import {
  activeDays,
  computeLines,
  decideGenerate,
  invoiceEvolver,
  previousQuarter,
  quarterOf,
  quarterSpan,
  type InvoiceEvent,
} from './invoice.decider.js';
import { divHalfEven } from './money.js';
import { lineRows, Q3_2026_LINES } from '../../../test/chain/data/hand-computed.js';

// a small file in the ECB's own eurofxref-hist.csv layout (newest first, N/A, trailing commas, no weekend/holiday rows)
const RATES = parseEurofxrefCsv(readFileSync(join(process.cwd(), 'test/chain/data/eurofxref-hist.csv'), 'utf8'));
const P = 10_000; // 100.00 EUR per venue per quarter
const always = [{ joined_at: '2023-12-15T08:00:00.000Z', left_at: null }];

describe('ECB rates and money', () => {
  it('reads the ECB layout: the last fixing on or before a day; N/A is no fixing', () => {
    expect(fixingOnOrBefore(RATES, 'SEK', '2026-09-30')).toEqual({ date: '2026-09-30', rate: '11.02745' });
    expect(fixingOnOrBefore(RATES, 'SEK', '2024-03-31')).toEqual({ date: '2024-03-28', rate: '11.5250' }); // Good Friday, weekend
    expect(fixingOnOrBefore(RATES, 'SEK', '2024-03-26')).toBeNull();
    expect(RATES.byCurrency.has('CYP')).toBe(false);
    expect(fixingOnOrBefore(RATES, 'ISK', '2028-09-28')).toEqual({ date: '2026-10-01', rate: '149.70' }); // N/A that day: the one before
  });
  it('half-even rounding on exact fractions', () => {
    expect([5n, 15n, 25n, -5n, 7n, 13n].map((n) => divHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 0n, 1n, 1n]);
    expect(divHalfEven(1102745n, 10n)).toBe(110274n);
  });
  it('quarters and active days: the joining day counts, the leaving day does not', () => {
    expect(quarterSpan('2026-Q3')).toEqual({ quarter: '2026-Q3', start: '2026-07-01', end: '2026-09-30', days: 92 });
    expect(quarterSpan('2024-Q1').days).toBe(91);
    expect(codeOf(() => quarterSpan('2026-Q5'))).toBe('validation_failed');
    expect(activeDays([{ joined_at: '2026-08-01T12:00:00Z', left_at: null }], '2026-07-01', '2026-09-30')).toBe(61);
    expect(activeDays([{ joined_at: '2026-06-01T00:00:00Z', left_at: '2026-09-10T09:00:00Z' }], '2026-07-01', '2026-09-30')).toBe(71);
    expect(activeDays([{ joined_at: null, left_at: '2026-08-01T00:00:00Z' }], '2026-07-01', '2026-09-30')).toBe(0); // never accepted
    // two periods in one quarter add up
    expect(
      activeDays(
        [
          { joined_at: '2026-07-01T00:00:00Z', left_at: '2026-07-11T00:00:00Z' },
          { joined_at: '2026-09-21T00:00:00Z', left_at: null },
        ],
        '2026-07-01',
        '2026-09-30',
      ),
    ).toBe(20);
  });
});

describe('chain invoice lines (hand-computed)', () => {
  it('2026-Q3 with SEK, NOK, DKK and EUR venues, one joining mid-quarter and one leaving', () => {
    const lines = computeLines(
      [
        { venue_id: 'se', country: 'SE', periods: always }, // 92 days: 10000 cents * 11.02745 = 110274.5 -> 110274 (even)
        { venue_id: 'dk', country: 'DK', periods: [{ joined_at: '2026-08-01T12:00:00Z', left_at: null }] }, // 61 days
        { venue_id: 'no', country: 'NO', periods: [{ joined_at: '2024-01-01T00:00:00Z', left_at: '2026-09-10T09:00:00Z' }] }, // 71 days
        { venue_id: 'fi', country: 'FI', periods: always },
        { venue_id: 'gone', country: 'SE', periods: [{ joined_at: '2026-01-01T00:00:00Z', left_at: '2026-06-30T00:00:00Z' }] }, // not in Q3
      ],
      quarterSpan('2026-Q3'),
      '2026-09-30',
      P,
      RATES,
    );
    expect(lineRows(lines as unknown as Array<Record<string, unknown>>)).toEqual(Q3_2026_LINES);
    expect(lines.find((l) => l.country === 'SE')!.venues).toEqual([{ venue_id: 'se', active_days: 92 }]);
  });
  it('a quarter ending on a Saturday uses Friday; one whose last days are a holiday gap uses the last fixing before it', () => {
    const v = [{ venue_id: 'se', country: 'SE', periods: always }];
    expect(computeLines(v, quarterSpan('2028-Q3'), '2028-09-30', P, RATES)[0]).toMatchObject({
      ecb_rate_date: '2028-09-29',
      ecb_rate_used: '11.2500',
      local_amount_minor: 112500,
    });
    expect(computeLines(v, quarterSpan('2024-Q1'), '2024-03-31', P, RATES)[0]).toMatchObject({
      ecb_rate_date: '2024-03-28',
      ecb_rate_used: '11.5250',
      local_amount_minor: 115250,
    });
  });
  it('no fixing at all, or a country the platform does not invoice, is refused', () => {
    expect(
      codeOf(() => computeLines([{ venue_id: 'se', country: 'SE', periods: always }], quarterSpan('2023-Q4'), '2023-12-31', P, RATES)),
    ).toBe('ecb_rate_missing');
    expect(
      codeOf(() => computeLines([{ venue_id: 'x', country: 'JP', periods: always }], quarterSpan('2026-Q3'), '2026-09-30', P, RATES)),
    ).toBe('currency_not_supported');
  });
});

describe('chain invoice batch decider', () => {
  const span = quarterSpan('2026-Q3');
  const compute = () => ({ batch_id: 'b', chain_id: 'c', quarter: '2026-Q3', price_eur_minor: P, line_items: [], total_eur_minor: 0 });
  const NOW = new Date('2026-08-15T10:00:00Z');
  it('the running quarter is a DRAFT up to today; after its end the first run issues it; an issued batch is never changed', () => {
    const draft = decideGenerate(invoiceEvolver.initialState(), { span, today: '2026-08-15', compute, now: NOW });
    expect(draft).toEqual([{ type: 'ChainInvoiceDrafted', data: expect.objectContaining({ as_of: '2026-08-15' }) }]);
    const s = invoiceEvolver.evolve(invoiceEvolver.initialState(), draft[0] as InvoiceEvent);
    const issued = decideGenerate(s, { span, today: '2026-10-01', compute, now: NOW });
    expect(issued).toEqual([{ type: 'ChainInvoiceIssued', data: expect.objectContaining({ as_of: '2026-09-30' }) }]);
    const done = invoiceEvolver.evolve(s, issued[0] as InvoiceEvent);
    expect(decideGenerate(done, { span, today: '2027-01-01', compute, now: NOW })).toEqual([]);
    expect(codeOf(() => decideGenerate(invoiceEvolver.initialState(), { span, today: '2026-06-30', compute, now: NOW }))).toBe(
      'quarter_not_started',
    );
  });
});

describe("the ECB's other layouts", () => {
  const data = (f: string) => readFileSync(join(process.cwd(), 'test/chain/data', f));
  it('eurofxref-hist.xml and eurofxref-hist.zip (made with zip(1)) give exactly the rates of the CSV', () => {
    const csv = parseEurofxref(data('eurofxref-hist.csv'));
    expect(csv).toEqual(RATES);
    expect(parseEurofxref(data('eurofxref-hist.xml'))).toEqual(csv);
    expect(parseEurofxref(data('eurofxref-hist.zip'))).toEqual(csv);
    expect(fixingOnOrBefore(parseEurofxref(data('eurofxref-hist.xml')), 'SEK', '2024-03-31')).toEqual({
      date: '2024-03-28',
      rate: '11.5250',
    });
  });
  it('the XML in either quote style; a rate outside a dated Cube, a bad date or a bad rate is refused', () => {
    const env = (cubes: string) => `<gesmes:Envelope xmlns:gesmes="x"><Cube>${cubes}</Cube></gesmes:Envelope>`;
    expect(parseEurofxrefXml(env(`<Cube time="2026-09-30"><Cube currency="SEK" rate="11.02745"/></Cube>`)).byCurrency.get('SEK')).toEqual([
      { date: '2026-09-30', rate: '11.02745' },
    ]);
    expect(codeOf(() => parseEurofxrefXml(env(`<Cube currency='SEK' rate='11.0'/>`)))).toBe('ecb_rates_invalid');
    expect(codeOf(() => parseEurofxrefXml(env(`<Cube time='30.09.2026'><Cube currency='SEK' rate='11.0'/></Cube>`)))).toBe(
      'ecb_rates_invalid',
    );
    expect(codeOf(() => parseEurofxrefXml(env(`<Cube time='2026-09-30'><Cube currency='SEK' rate='11,0'/></Cube>`)))).toBe(
      'ecb_rates_invalid',
    );
    expect(codeOf(() => parseEurofxrefXml('<html>not the ECB</html>'))).toBe('ecb_rates_invalid');
  });
  it('a damaged ZIP is refused (its CRC-32 or its structure)', () => {
    const zip = Buffer.from(data('eurofxref-hist.zip'));
    const flipped = Buffer.from(zip);
    flipped[60] = flipped[60]! ^ 0xff; // inside the deflated CSV
    expect(codeOf(() => parseEurofxref(flipped))).toBe('ecb_rates_invalid');
    expect(codeOf(() => parseEurofxref(zip.subarray(0, zip.length - 30)))).toBe('ecb_rates_invalid');
  });
});

describe('quarters of the job', () => {
  it('the quarter of a moment and the one before it', () => {
    expect(quarterOf(new Date('2026-10-01T00:00:00Z'))).toBe('2026-Q4');
    expect(quarterOf(new Date('2026-09-30T23:59:59Z'))).toBe('2026-Q3');
    expect(previousQuarter('2026-Q1')).toBe('2025-Q4');
    expect(previousQuarter('2026-Q4')).toBe('2026-Q3');
  });
  it('a draft identical to the one on record appends nothing; an empty quarter without a draft is skipped when asked', () => {
    const span = quarterSpan('2026-Q3');
    const NOW = new Date('2026-08-15T10:00:00Z');
    const lines = [{ country: 'SE' }] as never;
    const compute =
      (line_items = lines) =>
      () => ({ batch_id: 'b', chain_id: 'c', quarter: '2026-Q3', price_eur_minor: P, line_items, total_eur_minor: 1 });
    const draft = decideGenerate(invoiceEvolver.initialState(), { span, today: '2026-08-15', compute: compute(), now: NOW });
    const s = invoiceEvolver.evolve(invoiceEvolver.initialState(), draft[0] as InvoiceEvent);
    expect(decideGenerate(s, { span, today: '2026-08-15', compute: compute(), now: new Date('2026-08-15T11:00:00Z') })).toEqual([]);
    expect(decideGenerate(s, { span, today: '2026-08-15', compute: compute([] as never), now: NOW })).toHaveLength(1); // a line changed
    expect(decideGenerate(s, { span, today: '2026-08-16', compute: compute(), now: NOW })).toHaveLength(1); // a new day
    const empty = compute([] as never);
    expect(
      decideGenerate(invoiceEvolver.initialState(), { span, today: '2026-10-01', compute: empty, now: NOW, skip_empty: true }),
    ).toEqual([]);
    expect(decideGenerate(invoiceEvolver.initialState(), { span, today: '2026-10-01', compute: empty, now: NOW })).toHaveLength(1);
    // a quarter that had a draft is issued even when it ends up empty
    expect(decideGenerate(s, { span, today: '2026-10-01', compute: empty, now: NOW, skip_empty: true })[0]!.type).toBe(
      'ChainInvoiceIssued',
    );
  });
});
