/** Exact money arithmetic on integers (BigInt): no float ever rounds an invoice amount. */

/** num/den rounded half to even ("banker's rounding"), den > 0. */
export function divHalfEven(num: bigint, den: bigint): bigint {
  const neg = num < 0n;
  const n = neg ? -num : num;
  let q = n / den;
  const r2 = (n % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  return neg ? -q : q;
}

/** A decimal string ("11.02745") as an integer and its power of ten: 1102745n / 10^5. */
export function decimal(rate: string): { units: bigint; scale: bigint } {
  const [int, frac = ''] = rate.split('.');
  return { units: BigInt(`${int}${frac}`), scale: 10n ** BigInt(frac.length) };
}

/** Minor-unit digits (ISO 4217) of the currencies the ECB publishes that venues may be billed in. */
export const MINOR_DIGITS: Readonly<Record<string, number>> = {
  EUR: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  ISK: 0,
  CHF: 2,
  GBP: 2,
  PLN: 2,
  CZK: 2,
  HUF: 2,
  RON: 2,
  BGN: 2,
  USD: 2,
};

const EURO_AREA = ['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK'];
const NATIONAL: Record<string, string> = {
  SE: 'SEK',
  NO: 'NOK',
  DK: 'DKK',
  IS: 'ISK',
  CH: 'CHF',
  LI: 'CHF',
  GB: 'GBP',
  PL: 'PLN',
  CZ: 'CZK',
  HU: 'HUF',
  RO: 'RON',
  BG: 'BGN',
  US: 'USD',
};

/** The currency a venue in `country` is invoiced in, or null when the platform does not bill there. */
export function currencyOf(country: string | null): string | null {
  if (!country) return null;
  if (EURO_AREA.includes(country)) return 'EUR';
  return Object.hasOwn(NATIONAL, country) ? NATIONAL[country]! : null;
}
