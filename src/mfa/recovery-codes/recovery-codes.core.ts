import { randomBytes } from 'node:crypto';
import { safeEqual, sha256Hex } from '../../shared/crypto.js';

/** Crockford base32: no I, L, O, U, so codes read aloud and typed back without ambiguity. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_COUNT = 10;
/** 16 Crockford characters = 80 random bits per code, shown as XXXX-XXXX-XXXX-XXXX. */
const CODE_CHARS = 16;

export interface HashedRecoveryCode {
  salt: string;
  hash: string;
}

export function newRecoveryCode(): string {
  const bytes = randomBytes((CODE_CHARS * 5) / 8);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Case- and separator-insensitive form; Crockford's look-alikes (I, L -> 1; O -> 0) are folded. */
export function normaliseRecoveryCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
}

/** Salted SHA-256 (a unique 128-bit salt per code); enough for 80-bit random codes. */
export function hashRecoveryCode(code: string, salt = randomBytes(16).toString('hex')): HashedRecoveryCode {
  return { salt, hash: sha256Hex(`${salt}:${normaliseRecoveryCode(code)}`) };
}

/** Index of the unused code the input matches, or -1. Compares against every code. */
export function findRecoveryCode(codes: ReadonlyArray<HashedRecoveryCode & { used: boolean }>, input: string): number {
  const normalised = normaliseRecoveryCode(input);
  let found = -1;
  codes.forEach((c, i) => {
    const hit = safeEqual(sha256Hex(`${c.salt}:${normalised}`), c.hash);
    if (hit && !c.used && found < 0) found = i;
  });
  return normalised.length === CODE_CHARS ? found : -1;
}
