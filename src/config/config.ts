import { createPrivateKey } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { intReader } from './env-reader.js';
import { loadOtpConfig, type OtpConfig } from '../mfa/otp-challenge/otp-config.js';
import { parseTrustProxy, type TrustProxy } from '../shared/trust-proxy.js';

/**
 * Typed configuration, read once from the environment and validated at start-up. A bad value
 * stops the process with a message naming the variable; nothing else reads process.env.
 */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  publicBaseUrl: string;
  eventstoreUrl: string | null;
  mongoUrl: string | null;
  mongoDb: string;
  /** PostgreSQL for events and read models (each unless EVENTSTORE_URL / MONGO_URL names another engine). */
  databaseUrl: string | null;
  /** Schema inside DATABASE_URL's database that holds every table (one per deployment or test run). */
  databaseSchema: string;
  redisUrl: string | null;
  /** Prefix of every Redis key (BullMQ queues, tier cache); null = `plq` for queues, none for `tenant_tier:*`. */
  redisPrefix: string | null;
  /** Published tier matrix the hourly audit compares with (null = the repo file web/src/data/tenant-tiers.json). */
  tierMatrixUrl: string | null;
  /** Stripe webhook signing secret; when set, POST /me/subscription/upgrade-dev is off. */
  stripeWebhookSecret: string | null;
  stripe: { secretKey: string | null; priceId: string | null; apiUrl: string | null };
  smtpUrl: string | null;
  mailFrom: string;
  /** base64 32-byte key for AES-256-GCM; null = key file in DATA_DIR/keys (mode 0600). */
  encryptionKey: string | null;
  /** base64 secret for HMAC of short codes; null = key file in DATA_DIR/keys. */
  hmacSecret: string | null;
  /** PEM (PKCS#8) P-256 private key signing access tokens; null = key file in DATA_DIR/keys. */
  jwtPrivateKey: string | null;
  accessTokenTtlSeconds: number;
  refreshIdleSeconds: number;
  refreshAbsoluteSeconds: number;
  /** Window in which a just-rotated refresh token from the same client gets the same successor; 0 disables. */
  refreshReuseGraceSeconds: number;
  elks: { baseUrl: string; username: string | null; password: string | null; from: string };
  /** SMS and e-mail one-time codes: TTL, country allow-list, send limits, delivery retries. */
  otp: OtpConfig;
  webauthn: { rpId: string; rpName: string; origins: string[] };
  bootstrap: { tenantName: string; tenantType: string; adminEmail: string; adminPassword: string } | null;
  /** Express `trust proxy` (TRUST_PROXY): false = the TCP peer is the client address. */
  trustProxy: TrustProxy;
  /** Failed logins per client address across accounts (password spraying). */
  loginAbuse: { addressMaxFailures: number; addressWindowSeconds: number; sprayMinAccounts: number };
  /** Forgotten-password links. */
  passwordReset: { ttlSeconds: number; maxPerAddressPerHour: number };
  /** Quarterly chain invoices (F02.09.06): EUR minor units per venue per quarter; ECB rates from a file or a URL. */
  chainInvoices: { venuePriceEurMinor: number; ecbRatesFile: string | null; ecbRatesUrl: string | null };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const problems: string[] = [];
  const str = (name: string, def: string): string => {
    const v = env[name];
    return v === undefined || v === '' ? def : v;
  };
  const opt = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v === '' ? null : v;
  };
  const int = intReader(env, problems);
  const url = (name: string, protocols: string[]): string | null => {
    const v = opt(name);
    if (v === null) return null;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got "${u.protocol}")`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return v;
  };
  const key32 = (name: string): string | null => {
    const v = opt(name);
    if (v !== null && Buffer.from(v, 'base64').length !== 32) problems.push(`${name} must be 32 bytes, base64-encoded`);
    return v;
  };

  const pemKey = (name: string): string | null => {
    const v = opt(name);
    if (v === null) return null;
    try {
      const k = createPrivateKey(v.replace(/\\n/g, '\n'));
      if (k.asymmetricKeyType !== 'ec' || k.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
        problems.push(`${name} must be a P-256 (ES256) private key`);
    } catch {
      problems.push(`${name} is not a PEM private key`);
    }
    return v.replace(/\\n/g, '\n');
  };

  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevel = str('LOG_LEVEL', 'info') as AppConfig['logLevel'];
  if (!levels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${levels.join(', ')}`);

  const port = int('PORT', 3000, 0, 65535);
  const dataDirRaw = str('DATA_DIR', './data');
  const publicBaseUrl = url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;

  const rpId = str('WEBAUTHN_RP_ID', 'localhost');
  const origins = str('WEBAUTHN_ORIGINS', `http://localhost:${port}`)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of origins) {
    try {
      const u = new URL(o);
      if (u.origin !== o) problems.push(`WEBAUTHN_ORIGINS entry "${o}" must be a bare origin like https://example.org`);
      else if (u.hostname !== rpId && !u.hostname.endsWith(`.${rpId}`))
        problems.push(`WEBAUTHN_ORIGINS entry "${o}" is not on WEBAUTHN_RP_ID "${rpId}"`);
    } catch {
      problems.push(`WEBAUTHN_ORIGINS entry "${o}" is not a valid origin`);
    }
  }

  const bTenant = opt('BOOTSTRAP_TENANT_NAME');
  const bEmail = opt('BOOTSTRAP_ADMIN_EMAIL');
  const bPassword = opt('BOOTSTRAP_ADMIN_PASSWORD');
  const bootstrapAny = bTenant || bEmail || bPassword;
  if (bootstrapAny && !(bTenant && bEmail && bPassword))
    problems.push('BOOTSTRAP_TENANT_NAME, BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together');

  const redisPrefix = opt('REDIS_PREFIX');
  if (redisPrefix !== null && !/^[\w.-]{1,64}$/.test(redisPrefix)) problems.push('REDIS_PREFIX must be 1-64 letters, digits, _ . or -');

  const config: AppConfig = {
    port,
    host: str('HOST', '0.0.0.0'),
    dataDir: isAbsolute(dataDirRaw) ? dataDirRaw : resolve(process.cwd(), dataDirRaw),
    logLevel,
    publicBaseUrl,
    eventstoreUrl: url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kurrent:', 'kurrent+discover:']),
    mongoUrl: url('MONGO_URL', ['mongodb:', 'mongodb+srv:']),
    mongoDb: str('MONGO_DB', 'petanque_life'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseSchema: str('DATABASE_SCHEMA', 'public'),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix,
    tierMatrixUrl: url('TIER_MATRIX_URL', ['http:', 'https:']),
    stripeWebhookSecret: opt('STRIPE_WEBHOOK_SECRET'),
    stripe: { secretKey: opt('STRIPE_SECRET_KEY'), priceId: opt('STRIPE_PRICE_ID'), apiUrl: url('STRIPE_API_URL', ['http:', 'https:']) },
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: str('MAIL_FROM', 'Petanque Life Security <security@petanque.life>'),
    encryptionKey: key32('ENCRYPTION_KEY'),
    hmacSecret: opt('HMAC_SECRET'),
    jwtPrivateKey: pemKey('JWT_PRIVATE_KEY'),
    chainInvoices: {
      venuePriceEurMinor: int('CHAIN_VENUE_PRICE_EUR_MINOR', 4900, 0, 100_000_000),
      ecbRatesFile: opt('ECB_RATES_FILE'),
      ecbRatesUrl: url('ECB_RATES_URL', ['https:', 'http:']),
    },
    accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900, 30, 900),
    refreshIdleSeconds: int('REFRESH_IDLE_SECONDS', 14 * 86400, 60, 365 * 86400),
    refreshAbsoluteSeconds: int('REFRESH_ABSOLUTE_SECONDS', 30 * 86400, 60, 365 * 86400),
    refreshReuseGraceSeconds: int('REFRESH_REUSE_GRACE_SECONDS', 10, 0, 60),
    elks: {
      baseUrl: url('ELKS_BASE_URL', ['http:', 'https:']) ?? 'https://api.46elks.com',
      username: opt('ELKS_USERNAME'),
      password: opt('ELKS_PASSWORD'),
      from: str('ELKS_FROM', 'PetanqueLif'),
    },
    otp: loadOtpConfig(env, problems),
    webauthn: { rpId, rpName: str('WEBAUTHN_RP_NAME', 'Petanque Life'), origins },
    bootstrap:
      bTenant && bEmail && bPassword
        ? { tenantName: bTenant, tenantType: str('BOOTSTRAP_TENANT_TYPE', 'FEDERATION'), adminEmail: bEmail, adminPassword: bPassword }
        : null,
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    loginAbuse: {
      addressMaxFailures: int('LOGIN_ADDRESS_MAX_FAILURES', 10, 1, 10_000),
      addressWindowSeconds: int('LOGIN_ADDRESS_WINDOW_SECONDS', 900, 60, 86_400),
      sprayMinAccounts: int('LOGIN_SPRAY_MIN_ACCOUNTS', 3, 2, 10_000),
    },
    passwordReset: {
      ttlSeconds: int('PASSWORD_RESET_TTL_SECONDS', 1800, 300, 86_400),
      maxPerAddressPerHour: int('PASSWORD_RESET_MAX_PER_HOUR', 3, 1, 100),
    },
    ...overrides,
  };
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(config.databaseSchema))
    problems.push('DATABASE_SCHEMA must be a lower-case SQL identifier (letters, digits, _; at most 63)');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
