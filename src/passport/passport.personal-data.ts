import { personal } from '../privacy/personal-data-rule.js';

/** Passports' personal fields: the name a player shows on a chain's passport and leaderboard. */
export const PASSPORT_PERSONAL_DATA = [
  personal('PassportCreated', (d) => d.user_id, ['display_name']),
  personal('PassportProfileUpdated', (d) => d.user_id, ['display_name']),
];
