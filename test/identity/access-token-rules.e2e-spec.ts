/**
 * The access-token check is our own code on node:crypto (no passport, no jsonwebtoken), so every
 * rule it enforces has a token here that breaks exactly that rule and nothing else: each is signed
 * with the server's own key (read from its key file, as an attacker who had it could not do
 * anything else with it) unless the rule is about the key or the algorithm.
 */
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccessTokenClaims } from '../../src/identity/auth/auth-context.js';
import { JwtKeys } from '../../src/identity/auth/jwt-keys.service.js';
import { startTestApp, expectProblem, type TestApp } from '../support/test-app.js';
import { ADMIN, BOOTSTRAP_ENV, login, type Login } from '../support/identity.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const es256 = (key: KeyObject, header: object, payload: object) => {
  const signed = `${b64(header)}.${b64(payload)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
};

describe('access-token rules (alg, kid, typ, iss, aud, iat, nbf, exp, scheme)', () => {
  let t: TestApp;
  let l: Login;
  let key: KeyObject;
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  const me = (token: string, scheme = 'Bearer') => t.http.get('/me').set('Authorization', `${scheme} ${token}`);

  beforeAll(async () => {
    t = await startTestApp({ env: BOOTSTRAP_ENV });
    l = await login(t, ADMIN.email, ADMIN.password);
    key = createPrivateKey(readFileSync(join(t.dataDir, 'keys', 'jwt-es256.pem'), 'utf8'));
    const [h, p] = l.access_token
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()) as Record<string, unknown>);
    header = h!;
    claims = p!;
  });
  afterAll(() => t.close());

  it('accepts a token the test signs like the server (so each refusal below is the rule it breaks), scheme in any case', async () => {
    const token = es256(key, header, { ...claims, jti: 'test-signed' });
    await me(token).expect(200);
    await me(token, 'bearer').expect(200);
    await me(l.access_token, 'BEARER').expect(200);
    expectProblem(await me(token, 'Basic'), 401, 'unauthenticated');
  });

  it.each<[string, Record<string, unknown>]>([
    ['issuer', { iss: 'someone-else' }],
    ['audience', { aud: 'another-api' }],
    ['iat not a number', { iat: 'yesterday' }],
    ['no iat', { iat: undefined }],
    ['nbf in the future', { nbf: 'in an hour' }],
    ['nbf not a number', { nbf: 'soon' }],
    ['exp not a number', { exp: 'never' }],
    ['no session id', { sid: '' }],
    ['no tenant', { tid: undefined }],
  ])('refuses a correctly signed token with a wrong claim: %s', async (_what, change) => {
    const nbf = change.nbf === 'in an hour' ? { nbf: Math.floor(t.clock.now().getTime() / 1000) + 3600 } : {};
    expectProblem(await me(es256(key, header, { ...claims, ...change, ...nbf })), 401, 'invalid_token');
  });

  it.each<[string, Record<string, unknown>]>([
    ['typ JWT (not an access token)', { typ: 'JWT' }],
    ['no typ', { typ: undefined }],
    ['an unknown kid', { kid: 'not-our-key' }],
    ['no kid', { kid: undefined }],
    ['alg ES384 claimed', { alg: 'ES384' }],
  ])('refuses a token signed with the server key under a wrong header: %s', async (_what, change) => {
    expectProblem(await me(es256(key, { ...header, ...change }, claims)), 401, 'invalid_token');
  });

  it('refuses alg none, HS256 keyed with the public key, and another P-256 key under our kid', async () => {
    const none = `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`;
    expectProblem(await me(none), 401, 'invalid_token');
    const hsSigned = `${b64({ ...header, alg: 'HS256' })}.${b64(claims)}`;
    const jwks = (await t.http.get('/.well-known/jwks.json').expect(200)).body as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
    const publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    for (const secret of [publicPem, JSON.stringify(jwks.keys[0])]) {
      const hs = `${hsSigned}.${createHmac('sha256', secret).update(hsSigned).digest('base64url')}`;
      expectProblem(await me(hs), 401, 'invalid_token');
    }
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expectProblem(await me(es256(foreign, header, claims)), 401, 'invalid_token');
  });

  it('checks expiry of a token this process minted (its signature marked verified) without it ever being presented', async () => {
    const fresh = await login(t, ADMIN.email, ADMIN.password);
    t.clock.advance(901_000);
    expectProblem(await t.http.get('/me').set(fresh.auth), 401, 'token_expired');
    t.clock.advance(-901_000);
    await t.http.get('/me').set(fresh.auth).expect(200);
    // what the server mints passes the same claim checks before it counts as verified
    const noSession = await t.app.get(JwtKeys).sign({ ...(claims as unknown as AccessTokenClaims), sid: '' });
    expectProblem(await me(noSession.token), 401, 'invalid_token');
  });
});
