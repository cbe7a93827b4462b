import { hmacHex } from '../../shared/crypto.js';

/**
 * Invitation tokens: `<id>.<256-bit secret>`. The secret is the server's HMAC
 * of a random id, so the mail job can put it in the e-mail without the token ever being stored
 * (events hold its SHA-256 only) and without sealing it into the job queue; nobody without the
 * server key can derive it from the id.
 */
const secret = (key: Buffer, purpose: string, id: string) => Buffer.from(hmacHex(key, `${purpose}|${id}`), 'hex').toString('base64url');

export const invitationToken = (key: Buffer, invitationId: string) => `${invitationId}.${secret(key, 'invitation-accept', invitationId)}`;

export const passwordSetupToken = (key: Buffer, userId: string, setupId: string) => `${userId}.${secret(key, 'password-setup', setupId)}`;

const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;

/** The id part of a well-formed token, or null (nothing malformed reaches a lookup). */
export const tokenId = (token: string): string | null => TOKEN.exec(token)?.[1] ?? null;
