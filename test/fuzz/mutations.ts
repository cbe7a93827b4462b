import type { JsonSchema, Operation } from './openapi-operations.js';

/** Deterministic PRNG (mulberry32): the same seed sends the same requests in the same order. */
export function seededRandom(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** `n` distinct items of `list`, in a seeded order. */
    pick<T>(list: readonly T[], n: number): T[] {
      const copy = [...list];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy.slice(0, n);
    },
  };
}
export type Rng = ReturnType<typeof seededRandom>;

export interface FuzzCase {
  label: string;
  /** Raw request target, already percent-encoded as it goes on the wire. */
  target: string;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udfff';

/** Values that are wrong for almost any field: types, sizes, non-well-formed UTF-16, prototype names. */
export const BAD_VALUES: ReadonlyArray<[string, unknown]> = [
  ['null', null],
  ['zero', 0],
  ['negative', -1],
  ['float', 1.5],
  ['huge number', 1e308],
  ['true', true],
  ['empty array', []],
  ['empty object', {}],
  ['empty string', ''],
  ['blank', '   '],
  ['huge string', 'x'.repeat(60_000)],
  ['lone high surrogate', LONE_HIGH],
  ['lone low surrogate', LONE_LOW],
  ['surrogate in e-mail', `fuzz${LONE_HIGH}@example.test`],
  ['reversed surrogates', `${LONE_LOW}${LONE_HIGH}`],
  ['NUL', 'a\u0000b'],
  ['bidi override', 'abc\u202edcba'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['path traversal', '../../etc/passwd'],
  ['percent NUL', '%00'],
  ['emoji', '🎱'.repeat(20)],
  ['swedish', 'Åsa Öberg-Ärlig'],
  ['array of surrogates', [LONE_HIGH, 'ok']],
  ['array of null', [null]],
  ['array of objects', [{}]],
  ['nested arrays', [[[]]]],
  ['object with surrogate', { a: LONE_HIGH }],
  ['object with __proto__ key', JSON.parse('{"__proto__":{"polluted":"yes"}}')],
  ['object with constructor.prototype', { constructor: { prototype: { polluted: 'yes' } } }],
  ['deep object', JSON.parse('{"a":'.repeat(500) + '1' + '}'.repeat(500))],
];

/** Well-formed but odd path segments, each as it goes on the wire. */
export const ODD_SEGMENTS: readonly string[] = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '..',
  '.',
  '%2e%2e',
  '..%2F..%2Fetc',
  '%00',
  '%ff',
  '%ED%A0%80', // a lone surrogate as (invalid) UTF-8
  '%C0%AE', // overlong UTF-8 dot
  '%F0%9F%8E%B1',
  '%C3%85%C3%A4%C3%B6',
  'x'.repeat(3000),
  'null',
  'undefined',
  '-1',
  '1e309',
  '00000000-0000-0000-0000-000000000000',
  'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA',
  '%20',
  '%0A%0D',
  '%25',
  'a;b=c',
];

const ODD_QUERY_VALUES: readonly string[] = [
  '__proto__',
  'constructor',
  '%00',
  '%ff',
  '%ED%A0%80',
  'x'.repeat(5000),
  '-1',
  '1e309',
  'NaN',
  '%F0%9F%8E%B1',
  '..',
  '',
];

/** Structural query strings for parameter `k` (arrays, brackets, prototype keys). */
const queryShapes = (k: string): string[] => [
  `${k}=a&${k}=b`,
  `${k}[]=a`,
  `${k}[__proto__]=1`,
  `__proto__=1&${k}=1`,
  `constructor[prototype][polluted]=1`,
  `${k}=${'%ff'.repeat(50)}`,
];

/** A plausible valid value for a schema, so that one bad field is judged on its own. */
export function validValue(name: string, schema: JsonSchema | undefined, ctx: Record<string, string>): unknown {
  if (!schema) return 'x';
  if (schema.enum?.length) return schema.enum[0];
  if (schema.example !== undefined && schema.type !== 'object') return schema.example;
  switch (schema.type) {
    case 'number':
    case 'integer':
      return 60;
    case 'boolean':
      return true;
    case 'array':
      return [validValue(name, schema.items, ctx)];
    case 'object':
      return schema.properties ? validBody(schema, ctx) : {};
    default:
      if (/email/.test(name)) return 'fuzz.valid@example.test';
      if (/password/.test(name)) return 'a long enough password 123';
      if (/phone/.test(name)) return '+46701234567';
      if (/code/.test(name)) return '123456';
      if (/roles?$/.test(name)) return 'member';
      if (/_id$/.test(name)) return ctx[name] ?? '4f1c2a8e-7d3b-4c1a-9e2f-5b6a7c8d9e0f';
      return 'fuzz';
  }
}

export function validBody(schema: JsonSchema, ctx: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, validValue(k, s, ctx)]));
}

const fill = (op: Operation, values: Record<string, string>) => op.path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name]);

/**
 * The malformed variants of one operation for one caller: odd path values, odd and structural
 * query strings, broken and hostile JSON, and schema-aware bad fields. `ctx` holds valid ids
 * (the caller's tenant, a member, ...) so that every other part of the request is plausible.
 */
export function casesFor(op: Operation, ctx: Record<string, string>, rng: Rng): FuzzCase[] {
  const pathValues = Object.fromEntries(op.pathParams.map((p) => [p, encodeURIComponent(ctx[p] ?? 'fuzz')]));
  const base = fill(op, pathValues);
  const json = 'application/json';
  const valid = op.body ? validBody(op.body, ctx) : {};
  const validJson = JSON.stringify(valid);
  const cases: FuzzCase[] = [];
  const withBody = (c: Omit<FuzzCase, 'target'> & { target?: string }): FuzzCase => ({ target: base, ...c });

  // the plain valid-looking request, so each failure below is about its own mutation
  cases.push(withBody({ label: 'baseline', ...(op.body ? { body: validJson, contentType: json } : {}) }));

  for (const p of op.pathParams) {
    const always = ['__proto__', '%ED%A0%80', '..', 'x'.repeat(3000)];
    const values = [
      ...always,
      ...rng.pick(
        ODD_SEGMENTS.filter((s) => !always.includes(s)),
        7,
      ),
    ];
    for (const v of values)
      cases.push(
        withBody({
          label: `path ${p}=${v.slice(0, 40)}`,
          target: fill(op, { ...pathValues, [p]: v }),
          body: op.body ? validJson : undefined,
          contentType: op.body ? json : undefined,
        }),
      );
  }

  const names = [...new Set([...op.queryParams, 'limit', 'cursor', 'type'])];
  for (const v of rng.pick(ODD_QUERY_VALUES, 4)) {
    const k = rng.pick(names, 1)[0];
    cases.push(withBody({ label: `query ${k}=${v.slice(0, 40)}`, target: `${base}?${k}=${v}` }));
  }
  for (const q of rng.pick(queryShapes(rng.pick(names, 1)[0]), 2))
    cases.push(withBody({ label: `query ${q.slice(0, 60)}`, target: `${base}?${q}` }));

  const raw: Array<[string, string | Buffer, string]> = [
    ['truncated JSON', '{"a":', json],
    ['lone brace', '}', json],
    ['JSON null', 'null', json],
    ['JSON array', '[]', json],
    ['JSON string', '"x"', json],
    ['JSON number', '1', json],
    ['number beyond double', validJson.replace(/^\{/, '{"n":1e400,"m":-1e400' + (validJson === '{}' ? '' : ',')), json],
    ['empty body', '', json],
    ['__proto__ key', validJson.replace(/^\{/, '{"__proto__":{"polluted":"yes","roles":["sys"]}' + (validJson === '{}' ? '' : ',')), json],
    ['constructor.prototype key', '{"constructor":{"prototype":{"polluted":"yes"}}}', json],
    ['surrogate key', '{"\\ud800":1}', json],
    ['duplicate keys', validJson.replace(/^\{/, '{"a":1,"a":2' + (validJson === '{}' ? '' : ',')), json],
    ['deep array', '['.repeat(5000) + ']'.repeat(5000), json],
    ['deep object', '{"a":'.repeat(3000) + '1' + '}'.repeat(3000), json],
    ['too large', JSON.stringify({ a: 'x'.repeat(150_000) }), json],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d]), json],
    ['text/plain', validJson, 'text/plain'],
    ['form with __proto__', '__proto__[polluted]=yes&email=%ED%A0%80&a=%ff', 'application/x-www-form-urlencoded'],
    ['utf-16 charset', validJson, 'application/json; charset=utf-16'],
    ['problem+json type', validJson, 'application/problem+json'],
  ];
  for (const [label, encoding] of [
    ['gzip that is not gzip', 'gzip'],
    ['unknown content-encoding', 'x-fuzz'],
  ])
    if (op.body)
      cases.push(withBody({ label: `body ${label}`, body: validJson, contentType: json, headers: { 'Content-Encoding': encoding } }));
  for (const [label, body, type] of op.body ? raw : rng.pick(raw, 3))
    cases.push(withBody({ label: `body ${label}`, body, contentType: type }));

  if (op.body?.properties) {
    const props = Object.keys(op.body.properties);
    for (const prop of props) {
      const always = BAD_VALUES.filter(([l]) => l === 'lone high surrogate' || l === 'huge string' || l === 'object with __proto__ key');
      for (const [label, value] of [
        ...always,
        ...rng.pick(
          BAD_VALUES.filter((b) => !always.includes(b)),
          6,
        ),
      ])
        cases.push(withBody({ label: `field ${prop}: ${label}`, body: JSON.stringify({ ...valid, [prop]: value }), contentType: json }));
    }
    for (const prop of rng.pick(props, 2)) {
      const { [prop]: _dropped, ...rest } = valid;
      cases.push(withBody({ label: `missing ${prop}`, body: JSON.stringify(rest), contentType: json }));
    }
    for (const key of ['unknown_field', 'toString', 'hasOwnProperty', 'prototype'])
      cases.push(withBody({ label: `extra key ${key}`, body: JSON.stringify({ ...valid, [key]: 'x' }), contentType: json }));
  }
  return cases;
}

/** The cases every run sends whatever the budget: the ones that found real 5xx before. */
const MUST = /^baseline$|surrogate|__proto__|deep|%ED%A0%80|missing /;

/**
 * At most `budget` cases, the MUST ones first and a seeded sample of the rest, so that the run's
 * length stays bounded as operations are added (each seed samples a different rest).
 */
export function withinBudget(cases: FuzzCase[], budget: number, rng: Rng): FuzzCase[] {
  if (cases.length <= budget) return cases;
  const must = cases.filter((c) => MUST.test(c.label));
  const rest = cases.filter((c) => !MUST.test(c.label));
  return [...must, ...rng.pick(rest, Math.max(0, budget - must.length))];
}

/** Odd credentials for an anonymous caller (the guard must answer them all with a clean 401). */
export const ODD_AUTH_HEADERS: ReadonlyArray<Record<string, string>> = [
  { Authorization: 'Bearer x.y.z' },
  { Authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJfX3Byb3RvX18ifQ.' },
  { Authorization: 'Basic YWRtaW46YWRtaW4=' },
  { Authorization: 'Bearer ' + 'a'.repeat(4000) },
  { 'X-Device-Token': '__proto__', 'X-Correlation-Id': '../../x' },
];
