import { hmacHex, open, randomDigits, seal, type Sealed } from '../../shared/crypto.js';
import type { Secrets } from '../../shared/secrets.js';

/**
 * Code mechanics shared by SMS and e-mail OTP.
 *
 * How the plaintext code reaches the delivery job (documented choice): the command handler
 * draws the code from the CSPRNG (randomDigits), appends the challenge event holding only
 * HMAC-SHA-256(server key, "otp|<challenge id>|<code>"), and then itself enqueues the delivery
 * job (job id = the event id). The job payload carries the code (and, for SMS, the number and
 * the delivery-webhook secret) sealed with AES-256-GCM under the server encryption key with the
 * challenge id as associated data, so no event, read model or queue row ever holds them in
 * clear; the sealed payload is useless once the challenge expires (≤ 10 min). Trade-off: a crash
 * between the append and the enqueue leaves a challenge without a message; the user asks again.
 */
export const newCode = (): string => randomDigits(6);

export const codeHash = (secrets: Secrets, challengeId: string, code: string): string =>
  hmacHex(secrets.hmacKey, `otp|${challengeId}|${code}`);

/** Keyed hash of a destination (E.164 number or e-mail), for per-destination limits without storing it. */
export const destinationHash = (secrets: Secrets, destination: string): string =>
  hmacHex(secrets.hmacKey, `otp-destination|${destination}`);

export const sealFor = (secrets: Secrets, aad: string, value: unknown): Sealed =>
  seal(secrets.encryptionKey, secrets.encryptionKeyId, JSON.stringify(value), aad);

export const openFor = <T>(secrets: Secrets, aad: string, sealed: Sealed): T => JSON.parse(open(secrets.encryptionKey, sealed, aad)) as T;

export const phoneAad = (userId: string) => `sms-phone|${userId}`;
export const jobAad = (challengeId: string) => `otp-job|${challengeId}`;
