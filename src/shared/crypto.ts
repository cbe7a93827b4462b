import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex of a high-entropy value (refresh tokens, device tokens). */
export const sha256Hex = (value: string | Buffer): string => createHash('sha256').update(value).digest('hex');

/** Keyed hash for low-entropy values (6-digit codes): plain SHA-256 would fall to enumeration. */
export const hmacHex = (key: Buffer, value: string): string => createHmac('sha256', key).update(value).digest('hex');

/** Constant-time equality of two hex/base64 strings (false on different lengths, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ba.length !== bb.length) {
    timingSafeEqual(ba, ba);
    return false;
  }
  return timingSafeEqual(ba, bb);
}

/** URL-safe random token with `bits` of entropy. */
export const randomToken = (bits = 256): string => randomBytes(Math.ceil(bits / 8)).toString('base64url');

/** A uniformly random numeric code from the CSPRNG, zero-padded. */
export const randomDigits = (digits = 6): string =>
  randomInt(0, 10 ** digits)
    .toString()
    .padStart(digits, '0');

export interface Sealed {
  /** key id, so keys can be rotated */
  kid: string;
  iv: string;
  ct: string;
  tag: string;
}

/** AES-256-GCM with a fresh 96-bit IV; `aad` binds the ciphertext to its owner (e.g. user id). */
export function seal(key: Buffer, kid: string, plaintext: string, aad = ''): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { kid, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

export function open(key: Buffer, sealed: Sealed, aad = ''): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
}
