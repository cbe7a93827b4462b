import type { Doc, Patch } from './read-store.port.js';

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  if (!path.includes('.')) {
    obj[path] = value; // the common case, without splitting (a rebuild patches millions of times)
    return;
  }
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function readPath(obj: Record<string, unknown>, path: string): unknown {
  if (!path.includes('.')) return obj[path];
  return path.split('.').reduce<unknown>((o, p) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[p] : undefined), obj);
}

function unsetPath(obj: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  const parent = readPath(obj, parts.slice(0, -1).join('.')) ?? (parts.length === 1 ? obj : undefined);
  if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[parts[parts.length - 1]!];
}

/**
 * Applies set/inc/unset to a copy of a document (the semantics both adapters share), or to the
 * document itself with `inPlace` when the caller owns it (freshly parsed or cached by its store).
 */
export function applyPatch<T extends Doc>(doc: T, patch: Patch, options: { inPlace?: boolean } = {}): T {
  const id = doc.id;
  const next = (options.inPlace ? doc : structuredClone(doc)) as Record<string, unknown>;
  if (patch.set) for (const k in patch.set) setPath(next, k, patch.set[k]);
  if (patch.inc)
    for (const k in patch.inc) {
      const cur = readPath(next, k);
      setPath(next, k, (typeof cur === 'number' ? cur : 0) + patch.inc[k]!);
    }
  for (const k of patch.unset ?? []) unsetPath(next, k);
  next.id = id;
  return next as T;
}
