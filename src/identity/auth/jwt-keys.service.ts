import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { secureDir, securePrivateFile } from '../../shared/data-dir.js';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { unauthorized } from '../../shared/errors.js';
import type { AccessTokenClaims } from './auth-context.js';

export const JWT_ISSUER = 'petanque-life';
export const JWT_AUDIENCE = 'petanque-life-api';
/** RFC 9068: the header type of an access token, so no other JWT signed with this key passes as one. */
const JWT_TYPE = 'at+jwt';
/** Access tokens whose signature is known good, kept for their later requests. */
const VERIFIED_CACHE = 4096;
const COMPACT_JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

export type VerifiedClaims = Readonly<AccessTokenClaims & { exp: number; nbf?: number }>;

const invalidToken = () => unauthorized('invalid_token', 'The access token is not valid.');

/**
 * ES256 signing key for access tokens: from JWT_PRIVATE_KEY (PEM) or, embedded default, a
 * key file created once in DATA_DIR/keys with mode 0600. The public key is served as JWKS.
 */
@Injectable()
export class JwtKeys implements OnModuleInit {
  private privateKey!: KeyObject;
  publicKeyPem!: string;
  /** The parsed public key: verifying against the PEM text would parse it again on every request. */
  publicKey!: KeyObject;
  /** Verification keys by key id: the one signing key today, older ones here after a rotation. */
  private readonly verifyKeys = new Map<string, KeyObject>();
  kid!: string;
  private jwk!: JWK;
  /**
   * Exact token text -> its claims, for tokens whose signature, algorithm, key id, type, issuer
   * and audience were checked (or that this process signed itself: the bytes it signed are the
   * bytes it would verify, so the check could only succeed). An ES256 verify is the largest
   * single cost of an authenticated request and a client presents the same token for its whole
   * lifetime. Any other text, a forged payload under a known signature included, is a miss and is
   * verified in full. Time (exp, nbf) is checked on every request, and the guard reads the session
   * on every request (revocation on the very next one). Bounded: the oldest entry leaves first.
   */
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const pem = this.config.jwtPrivateKey ?? this.keyFile();
    this.privateKey = createPrivateKey(pem);
    const publicKey = createPublicKey(this.privateKey);
    this.publicKey = publicKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const jwk = await exportJWK(publicKey);
    this.kid = await calculateJwkThumbprint(jwk);
    this.jwk = { ...jwk, kid: this.kid, alg: 'ES256', use: 'sig' };
    this.verifyKeys.set(this.kid, publicKey);
  }

  private keyFile(): string {
    const dir = join(this.config.dataDir, 'keys');
    const file = join(dir, 'jwt-es256.pem');
    secureDir(dir);
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      try {
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    securePrivateFile(file); // an older install's key file may be 0644
    return readFileSync(file, 'utf8');
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.jwk] };
  }

  /**
   * A compact JWS (ES256, raw r||s signature as RFC 7518 §3.4 requires), signed with node:crypto
   * in one synchronous call: jose's WebCrypto path costs several times more per token, and
   * login, refresh and every verify sign one.
   */
  async sign(claims: AccessTokenClaims): Promise<{ token: string; expiresIn: number }> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const expiresIn = this.config.accessTokenTtlSeconds;
    const header = b64url({ alg: 'ES256', kid: this.kid, typ: JWT_TYPE });
    const payloadJson = JSON.stringify({
      ...claims,
      iss: JWT_ISSUER,
      aud: JWT_AUDIENCE,
      sub: claims.sub,
      iat: now,
      exp: now + expiresIn,
      jti: randomUUID(),
    });
    const payload = Buffer.from(payloadJson).toString('base64url');
    const signature = cryptoSign('sha256', Buffer.from(`${header}.${payload}`), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    const token = `${header}.${payload}.${signature.toString('base64url')}`;
    // the claims exactly as a verify of this text would parse them (JSON drops undefined values),
    // through the same claim checks: a token they refuse is not remembered, and fails when used
    const minted = validClaims(JSON.parse(payloadJson) as Record<string, unknown>);
    if (minted) this.remember(token, minted);
    return { token, expiresIn };
  }

  /**
   * The claims of a valid access token, else 401 (invalid_token, token_expired). Checked with
   * node:crypto on the parsed key: the algorithm is pinned to ES256 (no `none`, no HMAC with the
   * public key), the key is looked up by `kid`, `typ` must be at+jwt, iss and aud must be ours,
   * `iat` a number, `nbf` (if any) and `exp` against the injected clock, sub/tid/sid present.
   */
  verify(token: string): VerifiedClaims {
    const claims = this.verified.get(token) ?? this.remember(token, this.verifySignedParts(token));
    const now = this.clock.now().getTime();
    if (claims.exp * 1000 <= now) throw unauthorized('token_expired', 'The access token has expired; refresh it.');
    if (claims.nbf !== undefined && claims.nbf * 1000 > now) throw invalidToken();
    return claims;
  }

  /** Everything about a token that does not change with time: its signature and static claims. */
  private verifySignedParts(token: string): VerifiedClaims {
    const parts = COMPACT_JWS.exec(token);
    if (!parts) throw invalidToken();
    const [, header64, payload64, signature64] = parts as unknown as [string, string, string, string];
    const header = parseJson(header64);
    if (header?.alg !== 'ES256' || header.typ !== JWT_TYPE || typeof header.kid !== 'string') throw invalidToken();
    const key = this.verifyKeys.get(header.kid);
    const signature = Buffer.from(signature64, 'base64url');
    // ES256 is r||s, 32 bytes each (RFC 7518 §3.4)
    if (!key || signature.length !== 64) throw invalidToken();
    const signed = Buffer.from(token.slice(0, header64.length + 1 + payload64.length));
    if (!cryptoVerify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature)) throw invalidToken();
    const claims = validClaims(parseJson(payload64));
    if (!claims) throw invalidToken();
    return claims;
  }

  private remember(token: string, claims: VerifiedClaims): VerifiedClaims {
    Object.freeze(claims); // the guard copies what it hands on
    this.verified.set(token, claims);
    if (this.verified.size > VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value!);
    return claims;
  }
}

const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** The claim checks that do not depend on time: iss, aud, numeric exp/iat/nbf, sub/tid/sid present. */
function validClaims(c: Record<string, unknown> | null): VerifiedClaims | null {
  if (!c || c.iss !== JWT_ISSUER || !(Array.isArray(c.aud) ? c.aud : [c.aud]).includes(JWT_AUDIENCE)) return null;
  if (typeof c.exp !== 'number' || typeof c.iat !== 'number' || (c.nbf !== undefined && typeof c.nbf !== 'number')) return null;
  if (!nonEmpty(c.sub) || !nonEmpty(c.sid) || !nonEmpty(c.tid)) return null;
  return c as unknown as VerifiedClaims;
}

/** A base64url JSON object segment, or null for anything else. */
function parseJson(segment: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
