import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, chainHash, sealEvent, verifyChain } from './hash-chain.js';
import type { EventMetadata } from './event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { toEvent, type EventRow } from './sqlite-event-tail.js';

/**
 * The first definitions, verbatim: every hash already in a store was made by these, so the
 * faster ones must give the same text for every value a stored row can hold (issue 12).
 */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => referenceCanonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
}
function referenceChainHash(
  event: { id: string; type: string; occurred_at: string; data: unknown; metadata: EventMetadata },
  prevHash: string | null,
) {
  const { hash: _ignored, ...metadata } = event.metadata;
  const body = referenceCanonicalJson({
    id: event.id,
    type: event.type,
    occurred_at: event.occurred_at,
    data: event.data,
    metadata: { ...metadata, prev_hash: prevHash },
    prev_hash: prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/** A small seeded generator, so the random corpus is the same in every run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = [
  'a',
  'Z',
  '_',
  '0',
  '10',
  '9',
  '-1',
  'é',
  'ß',
  'Å',
  '😀',
  '\u{1F3F3}\u{FE0F}',
  '\ud800',
  '\udfff',
  '"',
  '\\',
  '\n',
  '\u0000',
  '\u2028',
  ' ',
  '/',
  '<',
];
function randomValue(rand: () => number, depth: number): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const str = () => Array.from({ length: Math.floor(rand() * 5) }, () => pick(PIECES)).join('');
  const kind = Math.floor(rand() * (depth > 3 ? 6 : 9));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return pick([0, -0, 1, -1, 0.1, 1e21, 1e-7, 2 ** 53, -(2 ** 53) - 2, 123.456, 5e-324, NaN, Infinity]);
    case 3:
      return (rand() - 0.5) * 10 ** Math.floor(rand() * 30 - 10);
    case 4:
    case 5:
      return str();
    case 6:
      return Array.from({ length: Math.floor(rand() * 4) }, () => (rand() < 0.1 ? undefined : randomValue(rand, depth + 1)));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rand() * 6); i > 0; i--) o[str()] = rand() < 0.1 ? undefined : randomValue(rand, depth + 1);
      return o;
    }
  }
}

const ANNA = 'a0000000-0000-4000-8000-00000000000a';
const TRICKY: unknown[] = [
  null,
  undefined,
  true,
  0,
  -0,
  1e21,
  1e-7,
  NaN,
  -Infinity,
  Number.MAX_SAFE_INTEGER,
  0.1 + 0.2,
  '',
  'plain',
  'å ä ö 😀 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} \ud83d \udc00 \u2028\u2029 \u0007 "q" \\ </script>',
  [],
  {},
  [undefined, null, [], {}, [[[]]]],
  { b: 1, a: 2, A: 3, _: 4, é: 5, e: 6, '😀': 7, '\uffff': 8, '': 9 },
  { '10': 'ten', '9': 'nine', '-1': 'minus', '01': 'zero-one', '1.5': 'x', a: 'letter' },
  { z: undefined, y: { x: undefined, w: [undefined] }, v: null },
  {
    nested: { deeper: { deepest: [1, 'two', { three: 3, Three: '3' }] } },
    list: [
      { b: 1, a: 2 },
      { d: [], c: {} },
    ],
  },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toString": 1}'),
  { date: new Date('2026-03-02T08:00:00Z'), when: '2026-03-02T08:00:00.000Z' }, // a Date has no own keys: {} in both
  { user_id: ANNA, amr: ['pwd', 'otp', 'mfa'], step: 59_000_012, ip: `pd1.${ANNA}.${'A'.repeat(60)}`, prev_hash: null },
];

describe('canonicalJson and the chain hash (same bytes as the first definitions, faster)', () => {
  it('writes the same text as the first definition for a corpus of tricky values', () => {
    for (const v of TRICKY) expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
  });

  it('writes the same text as the first definition for 3,000 random nested values (seeded)', () => {
    const rand = prng(12);
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(rand, 0);
      expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
    }
  });

  it('gives the hashes stores already hold (fixed values computed by the first definition)', () => {
    const e1 = {
      id: '3f2b8c1e-0d4a-4c5e-9f7a-1b2c3d4e5f60',
      type: 'TotpCodeAccepted',
      occurred_at: '2026-03-02T08:00:00.000Z',
      data: { user_id: ANNA, step: 59000012, amr: ['pwd', 'otp'], nested: { z: null, a: [1.5, -0, 'å'] } },
      metadata: { correlation_id: 'c-1', actor_id: ANNA, tenant_id: 't-1', ip: `pd1.${ANNA}.AAAA`, user_agent: null, prev_hash: null },
    };
    const h1 = '154b587055c52bdbadcba9feba744a51d751664f17bdead31405b1edf83cd139';
    expect(chainHash(e1, null)).toBe(h1);
    const e2 = {
      id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      type: 'SessionMfaSatisfied',
      occurred_at: '2026-03-02T08:00:01.000Z',
      data: { ключ: 'värde 😀', '10': 1, '9': 2 },
      metadata: { actor_id: null, prev_hash: h1, hash: 'its own hash is not hashed' },
    };
    expect(chainHash(e2, h1)).toBe('659bb9b549efb0a8bd6a8e47c1a9fcb071590fcba20a5c71c92f63b52a033c78');
  });

  it('chainHash and sealEvent equal the first definitions on random events, metadata members in the same order', () => {
    const rand = prng(7);
    let prev: string | null = null;
    for (let i = 0; i < 500; i++) {
      const metadata = { ...(randomValue(rand, 2) as object), actor_id: ANNA } as EventMetadata;
      if (i % 3 === 0) metadata.hash = 'stale';
      if (i % 4 === 0) metadata.prev_hash = 'given';
      const e = { type: `T${i}`, data: randomValue(rand, 0), metadata };
      const sealed = sealEvent(e, prev, '2026-03-02T08:00:00.000Z', () => `id-${i}`);
      // the first sealEvent: spread, prev_hash set, own hash deleted, then the new hash last
      const expected: EventMetadata = { ...metadata, prev_hash: prev };
      delete expected.hash;
      const hash = referenceChainHash(
        { id: `id-${i}`, type: e.type, occurred_at: '2026-03-02T08:00:00.000Z', data: e.data, metadata: expected },
        prev,
      );
      expect(JSON.stringify(sealed.metadata)).toBe(JSON.stringify({ ...expected, hash }));
      expect(chainHash({ ...sealed, type: e.type, data: e.data }, prev)).toBe(hash);
      prev = hash;
    }
  });
});

describe('the chain still notices every changed byte of a stored event', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'plq-chain-'));
    store = new SqliteEventStore(join(dir, 'events.sqlite'), () => new Date('2026-03-02T08:00:00Z'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a one-character change anywhere in id, type, time, data or metadata text that still parses breaks verifyChain', async () => {
    const metadata = { actor_id: ANNA, tenant_id: 't-1', correlation_id: 'c-9', ip: `pd1.${ANNA}.QUJD`, user_agent: null };
    await store.append(
      's-1',
      [{ type: 'AttemptClaimed', data: { user_id: ANNA, n: 1.5, amr: ['pwd'], x: { ü: true } }, metadata }],
      'no_stream',
    );
    await store.append('s-1', [{ type: 'AttemptSucceeded', data: { user_id: ANNA, ok: null }, metadata }], 0);
    const rows = await store.rawStream('s-1');
    expect(verifyChain(rows.map(toEvent))).toBeNull();
    let checked = 0;
    for (const [r, row] of rows.entries()) {
      for (const field of ['id', 'type', 'occurred_at', 'data', 'metadata'] as const) {
        const text = row[field];
        for (let i = 0; i < text.length; i++) {
          const altered: EventRow = { ...row, [field]: text.slice(0, i) + (text[i] === '0' ? '1' : '0') + text.slice(i + 1) };
          let events;
          try {
            events = rows.map((x, k) => toEvent(k === r ? altered : x));
          } catch {
            continue; // no longer JSON: the audit reports the row as damaged
          }
          checked++;
          expect(verifyChain(events)).not.toBeNull();
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
