import { hash } from 'node:crypto';
import type { EventMetadata } from './event-store.port.js';

/**
 * Canonical JSON: object keys sorted recursively (UTF-16 code units), no whitespace, members whose
 * value is undefined left out, undefined array items and a top-level undefined as null; stable
 * across engines. Written as one pass of string appends (no entries arrays, maps or joins): the
 * chain hash of every append and of every event audit:verify reads goes through it. The output is
 * the same as the first definition's for every JSON value (`hash-chain.spec.ts` compares them).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  return Array.isArray(value) ? arrayJson(value) : objectJson(value as Record<string, unknown>);
}

function arrayJson(a: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < a.length; i++) out += i === 0 ? canonicalJson(a[i]) : `,${canonicalJson(a[i])}`;
  return `${out}]`;
}

function objectJson(o: Record<string, unknown>): string {
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(); // the default order is UTF-16 code-unit order, as `a < b` is
  let out = '{';
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** canonicalJson of the metadata without its own hash and with prev_hash set to `prevHash`, without building that object. */
function linkedMetadataJson(metadata: EventMetadata, prevHash: string | null): string {
  const keys = Object.keys(metadata).filter((k) => k !== 'hash' && k !== 'prev_hash');
  keys.push('prev_hash');
  keys.sort();
  let out = '{';
  for (const k of keys) {
    const v = k === 'prev_hash' ? prevHash : metadata[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export interface HashableEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: unknown;
  metadata: EventMetadata;
}

/** `"name":<canonical value>` for the body's members in their sorted order, a member with an undefined value left out. */
const member = (name: string, json: string | undefined): string => (json === undefined ? '' : `,"${name}":${json}`);
const valueJson = (v: unknown): string | undefined => (v === undefined ? undefined : canonicalJson(v));

/**
 * SHA-256 linking an event to the previous event of its stream. Covers id, type, time, data,
 * metadata (without its own hash) and the previous hash, so altering any stored byte of an
 * event, or removing/reordering one, breaks the chain from that point on. The hashed text is
 * canonicalJson({ id, type, occurred_at, data, metadata: { ...metadata minus hash, prev_hash }, prev_hash }),
 * written out member by member in sorted key order (data, id, metadata, occurred_at, prev_hash, type).
 */
export function chainHash(event: HashableEvent, prevHash: string | null): string {
  const body =
    member('data', valueJson(event.data)) +
    member('id', valueJson(event.id)) +
    member('metadata', linkedMetadataJson(event.metadata, prevHash)) +
    member('occurred_at', valueJson(event.occurred_at)) +
    member('prev_hash', valueJson(prevHash)) +
    member('type', valueJson(event.type));
  return hash('sha256', `{${body.slice(1)}}`, 'hex');
}

/**
 * The envelope fields an append fixes for one new event: its id and time (defaults filled in)
 * and its metadata linked to the previous event of the stream by prev_hash and hash (the given
 * metadata's members in their order, prev_hash where it was or last, hash last).
 */
export function sealEvent(
  e: { id?: string; type: string; data: unknown; metadata?: EventMetadata; occurred_at?: string },
  prevHash: string | null,
  at: string,
  newId: () => string,
): { id: string; occurred_at: string; metadata: EventMetadata & { hash: string } } {
  const id = e.id ?? newId();
  const occurred_at = e.occurred_at ?? at;
  const metadata: EventMetadata = {};
  if (e.metadata) for (const k of Object.keys(e.metadata)) if (k !== 'hash') metadata[k] = e.metadata[k];
  metadata.prev_hash = prevHash;
  const linked = metadata as EventMetadata & { hash: string };
  linked.hash = chainHash({ id, type: e.type, occurred_at, data: e.data, metadata }, prevHash);
  return { id, occurred_at, metadata: linked };
}

export interface ChainBreak {
  stream: string;
  version: number;
  position: number;
  reason: 'hash_mismatch' | 'prev_hash_mismatch';
  expected: string | null;
  found: string | null | undefined;
}

/** Recomputes a stream's chain; returns the first broken link or null. */
export function verifyChain(events: Array<HashableEvent & { stream: string; version: number; position: number }>): ChainBreak | null {
  let prev: string | null = null;
  for (const e of events) {
    if ((e.metadata.prev_hash ?? null) !== prev) {
      return {
        stream: e.stream,
        version: e.version,
        position: e.position,
        reason: 'prev_hash_mismatch',
        expected: prev,
        found: e.metadata.prev_hash,
      };
    }
    const h = chainHash(e, prev);
    if (h !== e.metadata.hash) {
      return { stream: e.stream, version: e.version, position: e.position, reason: 'hash_mismatch', expected: h, found: e.metadata.hash };
    }
    prev = h;
  }
  return null;
}
