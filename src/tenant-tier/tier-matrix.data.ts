import type { TenantType } from '../identity/tenants/tenant.decider.js';

/**
 * THE tenant-tier matrix (F02.10.01): which subsystems each tenant type reaches without an
 * add-on. All-access types reach everything; the others reach the subsystems of their
 * included domains minus the excluded ones. Editing this file changes the API, the
 * published copy (web/src/data/tenant-tiers.json must be regenerated: `npm run cli --
 * tiers:audit-matrix --write`) and the README table.
 */
export interface TierRule {
  all_access: boolean;
  /** Domains `F<NN>` whose subsystems are included. */
  included_domains: string[];
  /** Subsystems `F<NN>.<MM>` of an included domain that are not included (sold as add-ons). */
  excluded_subsystems: string[];
}

const ALL: TierRule = { all_access: true, included_domains: [], excluded_subsystems: [] };

export const TIER_MATRIX: Readonly<Record<TenantType, TierRule>> = {
  FEDERATION: ALL,
  CONTINENTAL: ALL,
  FIPJP: ALL,
  SANDBOX: ALL,
  // A club runs its own members; players without a club (F02.08) and venue chains (F02.09) are other products.
  CLUB: { all_access: false, included_domains: ['F02'], excluded_subsystems: ['F02.08', 'F02.09'] },
  AFFILIATE: { all_access: false, included_domains: ['F02'], excluded_subsystems: ['F02.08', 'F02.09'] },
  // A single venue: chain management (several venues, shared passports) is the CHAIN product or an add-on.
  VENUE: { all_access: false, included_domains: ['F02'], excluded_subsystems: ['F02.08', 'F02.09'] },
  CHAIN: { all_access: false, included_domains: ['F02'], excluded_subsystems: ['F02.08'] },
  EVENT: { all_access: false, included_domains: ['F02'], excluded_subsystems: ['F02.08', 'F02.09'] },
  INDIVIDUAL: { all_access: false, included_domains: ['F02'], excluded_subsystems: ['F02.09'] },
};

/** The subsystems that exist today (named for the public page); add-ons can only unlock these. */
export const SUBSYSTEMS: Readonly<Record<string, string>> = {
  'F02.02': 'Authentication core',
  'F02.06': 'Alternative sign-in',
  'F02.07': 'Multi-factor authentication and advanced security',
  'F02.08': 'Individual players',
  'F02.09': 'Venue chains',
  'F02.10': 'Tenant tiers',
};

/** Never excluded for any type: security (MFA) and the tier snapshot itself are part of every tenant. */
export const NEVER_EXCLUDED = ['F02.07', 'F02.10'] as const;
