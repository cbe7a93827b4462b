import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { secureDir } from './data-dir.js';
import { join } from 'node:path';
import type { AppConfig } from '../config/config.js';

/**
 * Server secrets. Each comes from configuration, or (embedded default) from a key file in
 * DATA_DIR/keys created once with mode 0600. Never logged.
 */
export class Secrets {
  /** AES-256-GCM key for secrets the server must read back (TOTP seeds). */
  readonly encryptionKey: Buffer;
  /** Identifies the encryption key beside each ciphertext, for rotation. */
  readonly encryptionKeyId: string;
  /** HMAC-SHA-256 key for short codes (6-digit OTPs) and other keyed hashes. */
  readonly hmacKey: Buffer;

  constructor(config: Pick<AppConfig, 'dataDir' | 'encryptionKey' | 'hmacSecret'>) {
    this.encryptionKey = config.encryptionKey ? Buffer.from(config.encryptionKey, 'base64') : keyFile(config.dataDir, 'encryption.key', 32);
    this.encryptionKeyId = `k1`;
    this.hmacKey = config.hmacSecret ? Buffer.from(config.hmacSecret, 'utf8') : keyFile(config.dataDir, 'hmac.key', 32);
  }
}

/** Reads DATA_DIR/keys/<name>, creating it with `bytes` random bytes and mode 0600 if missing. */
export function keyFile(dataDir: string, name: string, bytes: number): Buffer {
  const dir = join(dataDir, 'keys');
  const file = join(dir, name);
  secureDir(dir);
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(bytes).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(file, 0o600);
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
