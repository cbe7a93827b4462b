import type { Doc, Patch } from './read-store.port.js';

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function readPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined), obj);
}

function unsetPath(obj: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  const parent = readPath(obj, parts.slice(0, -1).join('.')) ?? (parts.length === 1 ? obj : undefined);
  if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[parts[parts.length - 1]!];
}

/** Applies set/inc/unset to a copy of a document (the semantics both adapters share). */
export function applyPatch<T extends Doc>(doc: T, patch: Patch): T {
  const next = structuredClone(doc) as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch.set ?? {})) setPath(next, k, v);
  for (const [k, v] of Object.entries(patch.inc ?? {})) {
    const cur = readPath(next, k);
    setPath(next, k, (typeof cur === 'number' ? cur : 0) + v);
  }
  for (const k of patch.unset ?? []) unsetPath(next, k);
  next.id = doc.id;
  return next as T;
}
