import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { unauthorized } from '../../shared/errors.js';
import type { AccessTokenClaims } from './auth-context.js';
import { JWT_AUDIENCE, JWT_ISSUER, JwtKeys } from './jwt-keys.service.js';

/**
 * passport-jwt checks signature, algorithm, issuer and audience; expiry is checked here
 * against the injected clock (so the whole product runs on one clock, tests included).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: JwtKeys,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // a KeyObject, not the PEM: jsonwebtoken would otherwise parse the PEM on every request
      // (jsonwebtoken accepts a KeyObject; the passport-jwt typings only name string | Buffer)
      secretOrKeyProvider: (_req: unknown, _raw: unknown, done: (err: unknown, key?: string | Buffer) => void) =>
        done(null, keys.publicKey as unknown as Buffer),
      algorithms: ['ES256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: true,
    });
  }

  validate(payload: AccessTokenClaims & { exp?: number }): AccessTokenClaims {
    if (typeof payload.exp !== 'number' || payload.exp * 1000 <= this.clock.now().getTime()) {
      throw unauthorized('token_expired', 'The access token has expired; refresh it.');
    }
    if (!payload.sub || !payload.sid || !payload.tid) throw unauthorized('invalid_token', 'The access token is not valid.');
    return payload;
  }
}
