import { personal } from '../privacy/personal-data-rule.js';

/** Identity's personal fields (sealed per person in the log, see src/privacy). */
export const IDENTITY_PERSONAL_DATA = [
  personal('UserRegistered', (d) => d.user_id, ['email', 'display_name']),
  personal('EmailChanged', (d) => d.user_id, ['email', 'previous_email']),
  personal('SessionStarted', (d) => d.user_id, ['ip', 'device', 'location']),
  personal('RefreshGraceUsed', (d) => d.user_id, ['ip']),
];
