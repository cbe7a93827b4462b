import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

/**
 * A software WebAuthn authenticator for API tests: P-256 keys from node:crypto, 'none' or
 * 'packed' self attestation, authenticator data = rpIdHash | flags | signCount | attested
 * credential data, CBOR encoded by the tiny encoder below. It can be told to lie (origin,
 * RP ID, counter, user verification) so the server's checks can be shown to work.
 */

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** Minimal CBOR (RFC 8949): unsigned/negative ints, byte and text strings, arrays, maps. */
export function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const b64u = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64url');

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  cosePublicKey: Buffer;
  rpId: string;
  userHandle: string | null;
  counter: number;
}

export interface Lies {
  origin?: string;
  rpId?: string;
  /** Sign count to report (default: stored + 1, or always 0 with `zeroCounter`). */
  counter?: number;
  uv?: boolean;
  challenge?: string;
  /** Leave out the user handle (a non-discoverable credential). */
  noUserHandle?: boolean;
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly aaguid = Buffer.from('5ac1f7a2c1d54a6b9c9b0e5d6f7a8b9c', 'hex');

  constructor(
    readonly origin: string,
    readonly opts: { uv?: boolean; attestation?: 'none' | 'packed'; zeroCounter?: boolean } = {},
  ) {}

  private flags(uv: boolean, at: boolean) {
    return 0x01 | (uv ? 0x04 : 0) | (at ? 0x40 : 0);
  }

  /** navigator.credentials.create() on the options JSON from the server. */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, lies: Lies = {}) {
    const rpId = options.rp.id!;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cosePublicKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = randomBytes(32);
    const cred: SoftCredential = { id, privateKey, cosePublicKey, rpId, userHandle: options.user.id, counter: 0 };
    const uv = lies.uv ?? this.opts.uv ?? true;
    const len = Buffer.alloc(2);
    len.writeUInt16BE(id.length);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(lies.counter ?? 0);
    const authData = Buffer.concat([
      sha256(lies.rpId ?? rpId),
      Buffer.from([this.flags(uv, true)]),
      count,
      this.aaguid,
      len,
      id,
      cosePublicKey,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: lies.challenge ?? options.challenge,
        origin: lies.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const attStmt: Record<string, Cbor> =
      this.opts.attestation === 'packed'
        ? { alg: -7, sig: sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), privateKey) }
        : {};
    const attestationObject = cbor({ fmt: this.opts.attestation ?? 'none', attStmt, authData });
    this.credentials.push(cred);
    return {
      id: b64u(id),
      rawId: b64u(id),
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): uses the allowed credential, or the first resident one. */
  get(options: { challenge: string; rpId?: string; allowCredentials?: Array<{ id: string }> }, lies: Lies = {}, which?: SoftCredential) {
    const allowed = options.allowCredentials?.map((c) => c.id);
    const cred = which ?? this.credentials.find((c) => !allowed?.length || allowed.includes(b64u(c.id)));
    if (!cred) throw new Error('no matching credential');
    cred.counter = this.opts.zeroCounter ? 0 : cred.counter + 1;
    const counter = lies.counter ?? cred.counter;
    const uv = lies.uv ?? this.opts.uv ?? true;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const authData = Buffer.concat([sha256(lies.rpId ?? options.rpId ?? cred.rpId), Buffer.from([this.flags(uv, false)]), count]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: lies.challenge ?? options.challenge,
        origin: lies.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.privateKey);
    return {
      id: b64u(cred.id),
      rawId: b64u(cred.id),
      type: 'public-key',
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(cred.userHandle && !lies.noUserHandle ? { userHandle: cred.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
