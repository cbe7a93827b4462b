import { createHash } from 'node:crypto';
import type { EventMetadata } from './event-store.port.js';

/** Canonical JSON: object keys sorted recursively, no whitespace; stable across engines. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface HashableEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * SHA-256 linking an event to the previous event of its stream. Covers id, type, time, data,
 * metadata (without its own hash) and the previous hash, so altering any stored byte of an
 * event, or removing/reordering one, breaks the chain from that point on.
 */
export function chainHash(event: HashableEvent, prevHash: string | null): string {
  const { hash: _ignored, ...metadata } = event.metadata;
  const body = canonicalJson({
    id: event.id,
    type: event.type,
    occurred_at: event.occurred_at,
    data: event.data,
    metadata: { ...metadata, prev_hash: prevHash },
    prev_hash: prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The envelope fields an append fixes for one new event: its id and time (defaults filled in)
 * and its metadata linked to the previous event of the stream by prev_hash and hash.
 */
export function sealEvent(
  e: { id?: string; type: string; data: unknown; metadata?: EventMetadata; occurred_at?: string },
  prevHash: string | null,
  at: string,
  newId: () => string,
): { id: string; occurred_at: string; metadata: EventMetadata & { hash: string } } {
  const id = e.id ?? newId();
  const occurred_at = e.occurred_at ?? at;
  const metadata: EventMetadata = { ...(e.metadata ?? {}), prev_hash: prevHash };
  delete metadata.hash;
  const hash = chainHash({ id, type: e.type, occurred_at, data: e.data, metadata }, prevHash);
  return { id, occurred_at, metadata: { ...metadata, hash } };
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
