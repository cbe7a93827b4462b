import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { badRequest } from '../../shared/errors.js';

export interface NormalisedPhone {
  /** E.164, e.g. +46701234567 */
  e164: string;
  country: string | null;
  masked: string;
}

/**
 * Validates and normalises a number given in international format ("+46 70-123 45 67" ->
 * "+46701234567"). Anything else is 400 invalid_phone; the number never appears in the error.
 */
export function normalisePhone(input: unknown): NormalisedPhone {
  const raw = typeof input === 'string' ? input.trim() : '';
  if (!/^\+[\d\s().-]{6,24}$/.test(raw))
    throw badRequest('invalid_phone', 'Give the phone number in international E.164 format, e.g. +46701234567.');
  const p = parsePhoneNumberFromString(raw);
  if (!p || !p.isValid()) throw badRequest('invalid_phone', 'This is not a valid phone number in international E.164 format.');
  return { e164: p.number, country: p.country ?? null, masked: maskE164(p.number) };
}

/**
 * "+46701234567" -> "+46 70 *** ** 67": calling code, two leading national digits, the last two.
 * (Uses the real calling-code length; the shared maskPhone guesses one digit for most codes.)
 */
export function maskE164(e164: string): string {
  const p = parsePhoneNumberFromString(e164);
  if (!p) return '***';
  const national = String(p.nationalNumber);
  return `+${p.countryCallingCode} ${national.slice(0, 2)} *** ** ${national.slice(-2)}`;
}
