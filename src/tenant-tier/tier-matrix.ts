import { createHash } from 'node:crypto';
import { TENANT_TYPES, type TenantType } from '../identity/tenants/tenant.decider.js';
import { SUBSYSTEMS, TIER_MATRIX, type TierRule } from './tier-matrix.data.js';

export const SUBSYSTEM_ID = /^F\d{2}\.\d{2}$/;
export const DOMAIN_ID = /^F\d{2}$/;
export const domainOf = (subsystem: string) => subsystem.slice(0, 3);

export const ruleFor = (type: TenantType): TierRule => TIER_MATRIX[type];

/** all-access -> included domain and not excluded; add-ons are checked by the caller. */
export function matrixAllows(type: TenantType, subsystem: string): boolean {
  const r = ruleFor(type);
  return r.all_access || (r.included_domains.includes(domainOf(subsystem)) && !r.excluded_subsystems.includes(subsystem));
}

/** The known subsystems a type reaches from the matrix alone (sorted). */
export const matrixSubsystems = (type: TenantType): string[] =>
  Object.keys(SUBSYSTEMS)
    .filter((s) => matrixAllows(type, s))
    .sort();

/**
 * The published copy for the public web site, derived from the matrix only: stable key order,
 * two-space indent, trailing newline. web/src/data/tenant-tiers.json holds exactly these bytes
 * (a test proves it; the hourly audit job compares them).
 */
export function publishedMatrixText(): string {
  const tenant_types: Record<string, TierRule> = {};
  for (const t of TENANT_TYPES) {
    const r = TIER_MATRIX[t];
    tenant_types[t] = {
      all_access: r.all_access,
      included_domains: [...r.included_domains].sort(),
      excluded_subsystems: [...r.excluded_subsystems].sort(),
    };
  }
  const subsystems = Object.fromEntries(Object.entries(SUBSYSTEMS).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify({ schema: 1, tenant_types, subsystems }, null, 2)}\n`;
}

export const matrixHash = (): string => createHash('sha256').update(publishedMatrixText()).digest('hex');

/**
 * Which tenant types differ between the matrix the API serves and a published copy (bytes).
 * Byte-equal -> []. An unreadable copy differs in every type.
 */
export function differingTypes(published: Buffer | string): string[] {
  const ours = publishedMatrixText();
  const theirs = typeof published === 'string' ? published : published.toString('utf8');
  if (Buffer.from(ours).equals(Buffer.from(theirs))) return [];
  let parsed: { tenant_types?: Record<string, unknown> } | null = null;
  try {
    parsed = JSON.parse(theirs);
  } catch {
    parsed = null;
  }
  const mine = (JSON.parse(ours) as { tenant_types: Record<string, unknown> }).tenant_types;
  const other =
    parsed && typeof parsed === 'object' && parsed.tenant_types && typeof parsed.tenant_types === 'object' ? parsed.tenant_types : {};
  const types = [...new Set([...Object.keys(mine), ...Object.keys(other)])].sort();
  const diff = types.filter((t) => JSON.stringify(mine[t] ?? null) !== JSON.stringify((other as Record<string, unknown>)[t] ?? null));
  // Bytes differ but every type is equal (formatting, catalogue): report that instead of nothing.
  return diff.length ? diff : ['(formatting)'];
}
