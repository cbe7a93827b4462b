import { createHmac, randomBytes } from 'node:crypto';

/**
 * HOTP (RFC 4226) and TOTP (RFC 6238) over node:crypto. This is the one code path the server
 * uses to generate and check codes; the RFC test vectors run against these same functions.
 */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpParams {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  /** Time step in seconds. */
  period: number;
}

export const TOTP_DEFAULTS: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };
/** Accepted clock drift in time steps on either side (RFC 6238 §5.2 recommends at most one). */
export const TOTP_WINDOW = 1;
/** 160 bits: the RFC 4226 §4 recommended shared-secret length. */
export const TOTP_SECRET_BYTES = 20;
export const TOTP_ISSUER = 'Petanque Life';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, without padding (as the Key URI format wants it). */
export function base32Encode(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes RFC 4648 base32 (case-insensitive, padding and spaces ignored); throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = ALPHABET.indexOf(ch);
    if (idx < 0) throw new Error('invalid base32 character');
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export const newTotpSecret = (): string => base32Encode(randomBytes(TOTP_SECRET_BYTES));

/** RFC 4226 §5.3: HMAC, dynamic truncation, modulo 10^digits. */
export function hotp(key: Buffer, counter: number | bigint, digits: number = 6, algorithm: TotpAlgorithm = 'SHA1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm.toLowerCase(), key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The RFC 6238 time step of an instant (T0 = 0). */
export const timeStep = (epochMs: number, period = TOTP_DEFAULTS.period): number => Math.floor(epochMs / 1000 / period);

export function totpAt(secretBase32: string, epochMs: number, params: TotpParams = TOTP_DEFAULTS): string {
  return hotp(base32Decode(secretBase32), timeStep(epochMs, params.period), params.digits, params.algorithm);
}

/**
 * Which time step a code matches within ±window steps of now, or null. Every candidate is
 * compared (constant work per call), and the closest matching step wins.
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  epochMs: number,
  params: TotpParams = TOTP_DEFAULTS,
  window = TOTP_WINDOW,
): number | null {
  if (!new RegExp(`^\\d{${params.digits}}$`).test(code)) return null;
  const key = base32Decode(secretBase32);
  const now = timeStep(epochMs, params.period);
  let matched: number | null = null;
  for (const delta of [0, -1, 1, -2, 2, -3, 3].filter((d) => Math.abs(d) <= window)) {
    const step = now + delta;
    if (step < 0) continue;
    const expected = hotp(key, step, params.digits, params.algorithm);
    let diff = 0;
    for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ code.charCodeAt(i);
    if (diff === 0 && matched === null) matched = step;
  }
  return matched;
}

/** Google Authenticator Key URI: otpauth://totp/<Issuer>:<account>?secret=...&issuer=...&algorithm=...&digits=...&period=... */
export function otpauthUri(secretBase32: string, account: string, issuer = TOTP_ISSUER, params: TotpParams = TOTP_DEFAULTS): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${secretBase32}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${params.algorithm}`,
    `digits=${params.digits}`,
    `period=${params.period}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
