import type { Doc, ReadStore } from '../../readstore/read-store.port.js';
import { SNAPSHOT_COLLECTION } from '../../eventstore/snapshots.js';
import { ERASED } from '../personal-data-rule.js';
import type { PersonalValues } from './personal-values.js';

/** Collections that are bookkeeping, never copies of personal data. */
const SKIP = new Set(['checkpoints']);

export interface ScrubResult {
  documents_rewritten: number;
  documents_deleted: number;
}

/**
 * Rewrites every read-model document that still holds the person's plaintext: a document that
 * names the person (their id) or contains one of their distinctive values (address, phone) has
 * each string equal to one of their values replaced by "[erased]" (and each address/phone inside
 * a longer text). A document whose id contains such a value, and an aggregate snapshot of state
 * that contains one, is deleted (a snapshot is only a cache: the next load replays). The users
 * projection has already done its own part on PersonalDataErased; this catches every other copy,
 * including read models added later, without each projection having to know about erasure.
 */
export async function scrubReadModels(
  reads: ReadStore,
  collections: string[],
  userId: string,
  values: PersonalValues,
): Promise<ScrubResult> {
  const result: ScrubResult = { documents_rewritten: 0, documents_deleted: 0 };
  const distinctive = [...values.distinctive];
  const touches = (text: string) => text.includes(userId) || distinctive.some((v) => text.toLowerCase().includes(v));
  for (const name of collections) {
    if (SKIP.has(name)) continue;
    const coll = reads.collection<Doc>(name);
    const doomed: string[] = [];
    const rewrite: Doc[] = [];
    let cursor: string | null = null;
    do {
      const page = await coll.find({ limit: 1000, cursor });
      for (const doc of page.items) {
        const text = JSON.stringify(doc);
        if (name === SNAPSHOT_COLLECTION) {
          if (touchesAny(text, userId, values)) doomed.push(doc.id);
          continue;
        }
        if (!touches(text)) continue;
        if (distinctive.some((v) => doc.id.toLowerCase().includes(v))) {
          doomed.push(doc.id);
          continue;
        }
        const scrubbed = scrub(doc, values, distinctive) as Doc;
        if (JSON.stringify(scrubbed) !== text) rewrite.push(scrubbed);
      }
      cursor = page.next_cursor;
    } while (cursor);
    for (const id of doomed) if (await coll.delete(id)) result.documents_deleted++;
    for (const doc of rewrite) {
      await coll.upsert(doc);
      result.documents_rewritten++;
    }
  }
  return result;
}

function touchesAny(text: string, userId: string, values: PersonalValues): boolean {
  if (text.includes(userId)) return true;
  const lower = text.toLowerCase();
  for (const v of values.exact) if (v.length >= 3 && lower.includes(JSON.stringify(v.toLowerCase()).slice(1, -1))) return true;
  return false;
}

function scrub(value: unknown, values: PersonalValues, distinctive: string[]): unknown {
  if (typeof value === 'string') {
    if (values.exact.has(value)) return ERASED;
    let out = value;
    for (const v of distinctive) out = replaceAllCaseless(out, v);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, values, distinctive));
  if (value === null || typeof value !== 'object') return value;
  if (values.exact.has(JSON.stringify(value))) return ERASED;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'id' ? v : scrub(v, values, distinctive);
  return out;
}

function replaceAllCaseless(text: string, needle: string): string {
  const lower = text.toLowerCase();
  let at = lower.indexOf(needle);
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += text.slice(from, at) + ERASED;
    from = at + needle.length;
    at = lower.indexOf(needle, from);
  }
  return out + text.slice(from);
}
