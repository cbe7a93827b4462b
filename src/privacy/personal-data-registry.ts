import { ACCOUNT_PERSONAL_DATA } from '../account/account.personal-data.js';
import { CHAIN_PERSONAL_DATA } from '../chain/chain.personal-data.js';
import { BRUTE_FORCE_PERSONAL_DATA, IDENTITY_PERSONAL_DATA } from '../identity/identity.personal-data.js';
import { INDIVIDUAL_PERSONAL_DATA } from '../individual/individual.personal-data.js';
import { MFA_PERSONAL_DATA } from '../mfa/mfa.personal-data.js';
import { PASSPORT_PERSONAL_DATA } from '../passport/passport.personal-data.js';
import type { PersonalDataRule } from './personal-data-rule.js';

/**
 * Every context's personal-data declarations. A new context adds its list here; an event type
 * is declared once (a second declaration is a start-up error, not a silent override). Tenant-tier
 * events and the other chain events carry organisation names only: their personal data is the
 * actor's ip and user agent in the metadata, which is sealed for every event.
 */
export const PERSONAL_DATA_RULES: readonly PersonalDataRule[] = [
  ...IDENTITY_PERSONAL_DATA,
  ...BRUTE_FORCE_PERSONAL_DATA,
  ...MFA_PERSONAL_DATA,
  ...ACCOUNT_PERSONAL_DATA,
  ...INDIVIDUAL_PERSONAL_DATA,
  ...PASSPORT_PERSONAL_DATA,
  ...CHAIN_PERSONAL_DATA,
];

export function rulesByEvent(rules: readonly PersonalDataRule[] = PERSONAL_DATA_RULES): Map<string, PersonalDataRule> {
  const map = new Map<string, PersonalDataRule>();
  for (const r of rules) {
    if (map.has(r.event)) throw new Error(`personal data of ${r.event} is declared twice`);
    map.set(r.event, r);
  }
  return map;
}
