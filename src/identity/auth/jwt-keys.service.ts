import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { secureDir, securePrivateFile } from '../../shared/data-dir.js';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import type { AccessTokenClaims } from './auth-context.js';

export const JWT_ISSUER = 'petanque-life';
export const JWT_AUDIENCE = 'petanque-life-api';

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
  kid!: string;
  private jwk!: JWK;

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
    const header = b64url({ alg: 'ES256', kid: this.kid, typ: 'at+jwt' });
    const payload = b64url({
      ...claims,
      iss: JWT_ISSUER,
      aud: JWT_AUDIENCE,
      sub: claims.sub,
      iat: now,
      exp: now + expiresIn,
      jti: randomUUID(),
    });
    const signature = cryptoSign('sha256', Buffer.from(`${header}.${payload}`), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${header}.${payload}.${signature.toString('base64url')}`, expiresIn };
  }
}

const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
