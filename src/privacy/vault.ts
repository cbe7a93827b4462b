import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from 'node:crypto';
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
  /** The subject as the GCM additional data, made once per loaded key. */
  aad: Buffer;
}

/**
 * A value this process sealed or opened, under the key entry that did it. It is only used while
 * that very entry is the subject's live key in the cache: a reload, an erasure or a forget makes
 * a new entry (or none), so the memo can never answer for a key that is gone.
 */
interface Memo {
  entry: CachedKey;
  /** The plaintext: a primitive as it is, an object as its JSON text (parsed afresh per read, never shared). */
  value: unknown;
  json: boolean;
  size: number;
}

/**
 * A data key in memory of its own: Buffer.from(base64) of 32 bytes is a slice of Node's shared
 * 8 KiB Buffer pool, and a cached slice keeps its whole slab alive (`npm run bench -- http` heap
 * snapshot: 1,065 cached people held 7.8 MB, ~7.3 KB each; with this copy ~0.3 KB each).
 */
const ownedKey = (base64: string): Buffer => {
  const pooled = Buffer.from(base64, 'base64');
  const key = Buffer.allocUnsafeSlow(pooled.length);
  pooled.copy(key);
  return key;
};

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
 * this process sees the PersonalDataErased event or erases itself. Each sealed value is
 * decrypted at most once per process (issue 12): a bounded memo sealed text -> plaintext, filled
 * on seal and on open, consulted only after the subject's key entry says the key is live, and
 * emptied of a subject when that key is erased or forgotten.
 */
export class PersonalDataVault {
  private readonly cache = new Map<string, CachedKey>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Sealed string -> plaintext, so each sealed value is decrypted at most once in this process (bounded, oldest out first). */
  private readonly memo = new Map<string, Memo>();
  private memoChars = 0;
  /** Per request (its context object, collected with it): person + value -> the one sealed form of that request's ip or user agent. */
  private readonly requestSeals = new WeakMap<object, Map<string, { entry: CachedKey; sealed: string }>>();
  private readonly ttl: number;
  private readonly monotonic: () => number;
  /** Decryptions done and memo answers given (for tests and the benchmark). */
  readonly stats = { decrypts: 0, memoHits: 0 };

  constructor(
    readonly keys: PersonalKeyStore,
    private readonly serverKey: Buffer,
    private readonly options: {
      ttlMs?: number;
      cacheSize?: number;
      now?: () => Date;
      /** Milliseconds of a monotonic clock for the key TTL (tests move it by hand). */
      monotonic?: () => number;
      /** Memo bounds: entries, and characters of sealed + plain text together (~2 bytes each at most). */
      memoEntries?: number;
      memoChars?: number;
    } = {},
  ) {
    this.ttl = options.ttlMs ?? 300_000;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** Loads (and with `create`, creates) the keys of these subjects into the cache. */
  async prepare(subjects: Iterable<string>, create: boolean): Promise<void> {
    const now = this.monotonic();
    const missing = [...new Set(subjects)].filter((s) => {
      const hit = this.cache.get(s);
      return !hit || now - hit.loadedAt > this.ttl || (create && hit.key === 'absent');
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
    const started = this.monotonic();
    const found = await this.keys.get(subjects);
    for (const s of subjects) {
      // an erasure in this process while the store was being read: its tombstone stands
      const current = this.cache.get(s);
      if (current && current.key === null && current.loadedAt >= started) continue;
      let rec = found.get(s);
      if (!rec && create) {
        const wrapped = JSON.stringify(seal(this.serverKey, 'k1', randomBytes(32).toString('base64'), `pdk:${s}`));
        rec = await this.keys.create(s, wrapped, (this.options.now?.() ?? new Date()).toISOString());
      }
      if (!rec) {
        this.remember(s, 'absent'); // nobody sealed anything for this subject yet
        continue;
      }
      this.remember(s, rec.wrapped === null ? null : ownedKey(open(this.serverKey, JSON.parse(rec.wrapped) as Sealed, `pdk:${s}`)));
    }
  }

  private remember(subject: string, key: CachedKey['key']): void {
    this.cache.delete(subject);
    this.cache.set(subject, { key, loadedAt: this.monotonic(), aad: Buffer.from(subject) });
    if (this.cache.size > (this.options.cacheSize ?? 50_000)) this.cache.delete(this.cache.keys().next().value!);
  }

  /** The subject's cached key when it is live (loaded within the TTL, not destroyed). */
  private liveKey(subject: string | null): CachedKey | null {
    const hit = subject ? this.cache.get(subject) : undefined;
    if (!hit || !(hit.key instanceof Buffer) || this.monotonic() - hit.loadedAt > this.ttl) return null;
    return hit;
  }

  private memoize(sealed: string, entry: CachedKey, value: unknown, json: string): void {
    const entries = this.options.memoEntries ?? 20_000;
    const max = this.options.memoChars ?? 4_000_000;
    const size = sealed.length + json.length;
    if (entries === 0 || size > max / 16) return; // off; one big value does not push out everything else
    const object = value !== null && typeof value === 'object';
    const old = this.memo.get(sealed);
    if (old) {
      this.memoChars -= old.size;
      this.memo.delete(sealed);
    }
    this.memo.set(sealed, { entry, value: object ? json : value, json: object, size });
    this.memoChars += size;
    if (this.memo.size <= entries && this.memoChars <= max) return;
    // oldest out first, a tenth at a time: one walk of the map instead of one per insertion
    for (const [k, m] of this.memo) {
      if (this.memo.size <= entries * 0.9 && this.memoChars <= max * 0.9) break;
      this.memo.delete(k);
      this.memoChars -= m.size;
    }
  }

  /** Drops the subject's memoized plaintext from memory (erasure, forget); their entries are unusable already. */
  private dropMemo(subject: string): void {
    const prefix = `${PREFIX}${subject}.`;
    for (const [k, m] of this.memo) {
      if (!k.startsWith(prefix)) continue;
      this.memo.delete(k);
      this.memoChars -= m.size;
    }
  }

  /** How much the memo holds now (tests, benchmark). */
  memoSize(): { entries: number; chars: number } {
    return { entries: this.memo.size, chars: this.memoChars };
  }

  /** Seals one value for a prepared subject; an erased subject's value is written as "[erased]". */
  sealValue(subject: string, value: unknown): unknown {
    if (value === null || value === undefined || value === ERASED) return value;
    const hit = this.cache.get(subject);
    if (!hit || hit.key === 'absent') throw new Error(`personal data key of ${subject} not prepared`);
    if (hit.key === null) return ERASED;
    const json = JSON.stringify(value);
    const plain = Buffer.from(json, 'utf8');
    // iv | tag | ciphertext written into one buffer (GCM's ciphertext is as long as the plaintext)
    const out = Buffer.allocUnsafe(28 + plain.length);
    const iv = freshIv(out);
    const cipher = createCipheriv('aes-256-gcm', hit.key, iv);
    cipher.setAAD(hit.aad);
    cipher.update(plain).copy(out, 28);
    cipher.final();
    cipher.getAuthTag().copy(out, 12);
    const sealed = `${PREFIX}${subject}.${out.toString('base64url')}`;
    this.memoize(sealed, hit, value, json);
    return sealed;
  }

  /**
   * sealValue for the ip or user agent of the request `request` (its context object): sealed once
   * per person and request, and that one ciphertext is the sealed form of the value in every
   * event the request appends for the person. Equal ciphertexts then show that those fields are
   * equal, which they are by construction (one request has one address and one user agent, and
   * its events share a correlation id anyway); across requests and across persons every seal is
   * fresh. The reuse is tied to the key entry it was sealed under, like the memo: an erasure (or a
   * reload) in the middle of the request makes the next seal `"[erased]"` (or fresh), and every
   * copy of the ciphertext is under the one key that crypto-shredding destroys.
   */
  sealRequestValue(request: object, subject: string, value: string): unknown {
    let seals = this.requestSeals.get(request);
    const key = `${subject}\n${value}`;
    const done = seals?.get(key);
    if (done && done.entry === this.cache.get(subject) && done.entry.key instanceof Buffer) return done.sealed;
    const sealed = this.sealValue(subject, value);
    const entry = this.cache.get(subject)!;
    if (!(entry.key instanceof Buffer) || typeof sealed !== 'string') return sealed;
    if (!seals) this.requestSeals.set(request, (seals = new Map()));
    seals.set(key, { entry, sealed });
    return sealed;
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
    // the memo only after the key: it answers for the live entry it was made under, nothing else
    const live = this.liveKey(subject);
    const m = live ? this.memo.get(value) : undefined;
    if (m && m.entry === live) {
      this.stats.memoHits++;
      return m.json ? (JSON.parse(m.value as string) as unknown) : m.value;
    }
    let json: string;
    try {
      const raw = Buffer.from(value.slice(PREFIX.length + subject!.length + 1), 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', hit.key, raw.subarray(0, 12));
      decipher.setAAD(hit.aad);
      decipher.setAuthTag(raw.subarray(12, 28));
      const plain = decipher.update(raw.subarray(28));
      decipher.final();
      json = plain.toString('utf8');
    } catch {
      return value;
    }
    this.stats.decrypts++;
    const opened = JSON.parse(json) as unknown;
    if (live) this.memoize(value, live, opened, json);
    return opened;
  }

  /** Destroys the subject's key for good (a tombstone stays) and forgets it here. */
  async erase(subject: string): Promise<void> {
    await this.keys.destroy(subject, (this.options.now?.() ?? new Date()).toISOString());
    this.remember(subject, null);
    this.dropMemo(subject);
  }

  /** Drops a cached key (another process erased it) and what was opened with it: the next use reads the store again. */
  forget(subject: string): void {
    this.cache.delete(subject);
    this.dropMemo(subject);
  }
}

/** IVs come from a pool of CSPRNG bytes, each 12 used once (one randomBytes call per 341 seals instead of per seal). */
let ivPool = Buffer.alloc(0);
let ivUsed = 0;
function freshIv(into: Buffer): Buffer {
  if (ivUsed + 12 > ivPool.length) {
    ivPool = randomFillSync(Buffer.allocUnsafe(4092));
    ivUsed = 0;
  }
  ivPool.copy(into, 0, ivUsed, ivUsed + 12);
  ivUsed += 12;
  return into.subarray(0, 12);
}
