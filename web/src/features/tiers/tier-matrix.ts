import matrix from '../../data/tenant-tiers.json' with { type: 'json' };

/**
 * The published tier matrix (web/src/data/tenant-tiers.json). The server serves the same bytes at
 * GET /public/tenant-tiers and its hourly audit compares them with this file, so it is only read
 * here, never edited by hand (`npm run cli -- tiers:audit-matrix --write` regenerates it).
 */
interface Rule {
  all_access: boolean;
  included_domains: string[];
  excluded_subsystems: string[];
}
const TYPES = (matrix as { tenant_types: Record<string, Rule> }).tenant_types;
export const SUBSYSTEM_NAMES = ((matrix as { subsystems?: Record<string, string> }).subsystems ?? {}) as Record<string, string>;

/** The tenant types whose tier includes `subsystem` without an add-on. */
export function tenantTypesIncluding(subsystem: string): string[] {
  const domain = subsystem.split('.')[0]!;
  return Object.entries(TYPES)
    .filter(([, r]) => r.all_access || (r.included_domains.includes(domain) && !r.excluded_subsystems.includes(subsystem)))
    .map(([type]) => type);
}
