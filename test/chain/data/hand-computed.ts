/**
 * Invoice lines as rows `[country, currency, active venue days, EUR cents, rate, rate date, local
 * minor units]`, and the 2026-Q3 example computed by hand (price 100.00 EUR per venue per quarter,
 * 92 days, rates of test/chain/data/eurofxref-hist.csv on 2026-09-30): a Swedish and a Finnish
 * venue all quarter, a Danish one joining on 08-01 (61 days), a Norwegian one leaving on 09-10 (71).
 */
export const lineRows = (lines: ReadonlyArray<Record<string, unknown>>) =>
  lines.map((l) => [
    l.country,
    l.local_currency,
    l.active_venue_days,
    l.eur_amount_minor,
    l.ecb_rate_used,
    l.ecb_rate_date,
    l.local_amount_minor,
  ]);

export const Q3_2026_LINES = [
  // 10000*61/92 = 6630.43 EUR cents; * 7.4612 = 49471.0 ore
  ['DK', 'DKK', 61, 6630, '7.4612', '2026-09-30', 49471],
  ['FI', 'EUR', 92, 10000, '1', null, 10000],
  // 10000*71/92 = 7717.39; * 11.6235 = 89703.098 (not 7717 * 11.6235 = 89700.5: one rounding, on the exact product)
  ['NO', 'NOK', 71, 7717, '11.6235', '2026-09-30', 89703],
  // 10000 * 11.02745 = 110274.5 -> 110274 (half to even)
  ['SE', 'SEK', 92, 10000, '11.02745', '2026-09-30', 110274],
];
