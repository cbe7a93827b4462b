import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Masks for personal data in every answer that is not the owner's own profile, and in audit details. */
export function maskEmail(email: string): string {
  // an erased person's address (src/privacy) reads as erased, masked or not
  if (email.startsWith('[erased]')) return '[erased]';
  const [local = '', domain = ''] = email.split('@');
  const head = local.slice(0, Math.min(2, Math.max(1, local.length - 1)));
  return `${head}${'*'.repeat(Math.max(3, local.length - head.length))}@${domain}`;
}

/** "+46701234567" -> "+46 70 *** ** 67": country code, two leading national digits, the last two. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164.replace(/\s/g, ''));
  if (!parsed) return '***';
  const national = String(parsed.nationalNumber);
  if (national.length < 5) return `+${parsed.countryCallingCode} ***`;
  return `+${parsed.countryCallingCode} ${national.slice(0, 2)} *** ** ${national.slice(-2)}`;
}

const EMAIL_KEYS = /(^|_)email$/;
const PHONE_KEYS = /(^|_)(phone|to|msisdn)$/;

/** Deep copy with every e-mail/phone-looking field masked (keys `email`, `*_email`, `phone`, `*_phone`). */
export function maskDetails<T>(value: T): T {
  if (Array.isArray(value)) return value.map(maskDetails) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string' && EMAIL_KEYS.test(k) && v.includes('@')) out[k] = maskEmail(v);
    else if (typeof v === 'string' && PHONE_KEYS.test(k) && /^\+?\d[\d\s]{5,}$/.test(v)) out[k] = maskPhone(v);
    else out[k] = maskDetails(v);
  }
  return out as T;
}
