import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { open, seal, type Sealed } from '../shared/crypto.js';
import type { PersonalKeyStore } from './key-store.js';
import { ERASED } from './personal-data-rule.js';

/** `pd1.<subject>.<base64url(iv | tag | ciphertext)>`: the sealed form of one field value in the log. */
const PREFIX = 'pd1.';
const SUBJECT = /^[A-Za-z0-9_-]{1,100}$/;

interface CachedKey {
  /** null: destroyed (tombstone); 'absent': no record (never sealed for, so nothing to open). */
  key: Buffer | null | 'absent';
  loadedAt: number;
}

export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(PREFIX);
export const sealedSubject = (v: string): string | null => {
  const end = v.indexOf('.', PREFIX.length);
  return end > PREFIX.length ? v.slice(PREFIX.length, end) : null;
};
export const isSubject = (v: unknown): v is string => typeof v === 'string' && SUBJECT.test(v);

/**
 * Envelope encryption of personal data: one random AES-256 data key per person, wrapped by the
 * server key, kept in the PersonalKeyStore. Unwrapped keys are cached in memory (the hot paths
 * never pay a key-store round trip after the first use of a person in this process); an entry
 * lives `ttlMs`, so another process's erasure is honoured within that bound, and at once when
 * this process sees the PersonalDataErased event or erases itself.
 */
export class PersonalDataVault {
  private readonly cache = new Map<string, CachedKey>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    readonly keys: PersonalKeyStore,
    private readonly serverKey: Buffer,
    private readonly options: { ttlMs?: number; cacheSize?: number; now?: () => Date } = {},
  ) {}

  /** Loads (and with `create`, creates) the keys of these subjects into the cache. */
  async prepare(subjects: Iterable<string>, create: boolean): Promise<void> {
    const now = performance.now();
    const ttl = this.options.ttlMs ?? 300_000;
    const missing = [...new Set(subjects)].filter((s) => {
      const hit = this.cache.get(s);
      return !hit || now - hit.loadedAt > ttl || (create && hit.key === 'absent');
    });
    if (missing.length === 0) return;
    const waiting = missing.map((s) => this.pending.get(s)).filter((p): p is Promise<void> => p !== undefined);
    const load = missing.filter((s) => !this.pending.has(s));
    if (load.length > 0) {
      const p = this.load(load, create);
      for (const s of load) this.pending.set(s, p);
      void p.finally(() => load.forEach((s) => this.pending.get(s) === p && this.pending.delete(s))).catch(() => undefined);
      waiting.push(p);
    }
    await Promise.all(waiting);
    // a subject loaded without create by a concurrent reader may still lack a key
    if (create) {
      const still = missing.filter((s) => this.cache.get(s)?.key === 'absent' || !this.cache.has(s));
      if (still.length > 0) await this.load(still, true);
    }
  }

  private async load(subjects: string[], create: boolean): Promise<void> {
    const found = await this.keys.get(subjects);
    for (const s of subjects) {
      let rec = found.get(s);
      if (!rec && create) {
        const wrapped = JSON.stringify(seal(this.serverKey, 'k1', randomBytes(32).toString('base64'), `pdk:${s}`));
        rec = await this.keys.create(s, wrapped, (this.options.now?.() ?? new Date()).toISOString());
      }
      if (!rec) {
        this.remember(s, 'absent'); // nobody sealed anything for this subject yet
        continue;
      }
      this.remember(
        s,
        rec.wrapped === null ? null : Buffer.from(open(this.serverKey, JSON.parse(rec.wrapped) as Sealed, `pdk:${s}`), 'base64'),
      );
    }
  }

  private remember(subject: string, key: CachedKey['key']): void {
    this.cache.delete(subject);
    this.cache.set(subject, { key, loadedAt: performance.now() });
    if (this.cache.size > (this.options.cacheSize ?? 50_000)) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Seals one value for a prepared subject; an erased subject's value is written as "[erased]". */
  sealValue(subject: string, value: unknown): unknown {
    if (value === null || value === undefined || value === ERASED) return value;
    const hit = this.cache.get(subject);
    if (!hit || hit.key === 'absent') throw new Error(`personal data key of ${subject} not prepared`);
    if (hit.key === null) return ERASED;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', hit.key, iv);
    cipher.setAAD(Buffer.from(subject));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${PREFIX}${subject}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
  }

  /**
   * The plaintext of a sealed value ("[erased]" when its key is destroyed or unknown); anything
   * else is returned as it is. A value that does not decrypt under an existing key (not ours,
   * damaged) is returned unchanged rather than guessed at.
   */
  openValue(value: unknown): unknown {
    if (!isSealed(value)) return value;
    const subject = sealedSubject(value);
    const hit = subject ? this.cache.get(subject) : undefined;
    if (!hit || hit.key === null || hit.key === 'absent') return ERASED;
    const key = hit.key;
    try {
      const raw = Buffer.from(value.slice(PREFIX.length + subject!.length + 1), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(subject!));
      decipher.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as unknown;
    } catch {
      return value;
    }
  }

  /** Destroys the subject's key for good (a tombstone stays) and forgets it here. */
  async erase(subject: string): Promise<void> {
    await this.keys.destroy(subject, (this.options.now?.() ?? new Date()).toISOString());
    this.remember(subject, null);
  }

  /** Drops a cached key (another process erased it): the next use reads the store again. */
  forget(subject: string): void {
    this.cache.delete(subject);
  }
}
