import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './config.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
};

describe('configuration is validated once, naming the bad variable', () => {
  it('has working defaults for the embedded mode', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, eventstoreUrl: null, mongoUrl: null, redisUrl: null, smtpUrl: null, accessTokenTtlSeconds: 900 });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ ACCESS_TOKEN_TTL_SECONDS: '3600' }, /ACCESS_TOKEN_TTL_SECONDS/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL must use/],
    [{ MONGO_URL: 'not a url' }, /MONGO_URL is not a valid URL/],
    [{ ENCRYPTION_KEY: 'c2hvcnQ=' }, /ENCRYPTION_KEY must be 32 bytes/],
    [{ JWT_PRIVATE_KEY: 'nope' }, /JWT_PRIVATE_KEY is not a PEM private key/],
    [
      { WEBAUTHN_RP_ID: 'example.org', WEBAUTHN_ORIGINS: 'https://evil.test' },
      /WEBAUTHN_ORIGINS entry "https:\/\/evil.test" is not on WEBAUTHN_RP_ID/,
    ],
    [{ BOOTSTRAP_TENANT_NAME: 'x' }, /must be set together/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ SMS_ALLOWED_COUNTRIES: 'SE,Sweden' }, /SMS_ALLOWED_COUNTRIES/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY=true would trust any X-Forwarded-For/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY must be off/],
    [{ TRUST_PROXY: 'loopback, proxy.example' }, /bad: "proxy.example"/],
    [{ TRUST_PROXY: '99' }, /TRUST_PROXY hop count/],
  ])('rejects %o', (env, message) => {
    expect(problems(env as Record<string, string>).join('\n')).toMatch(message);
  });

  it('TRUST_PROXY is off by default and takes a hop count or proxy addresses and CIDRs (Express semantics)', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::/32' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
  });

  it('accepts a P-256 PEM for JWT_PRIVATE_KEY and rejects another curve', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(loadConfig({ JWT_PRIVATE_KEY: p256 }).jwtPrivateKey).toBe(p256);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(problems({ JWT_PRIVATE_KEY: p384 }).join()).toMatch(/P-256/);
  });
});
