import { keyedHash, personal } from '../privacy/personal-data-rule.js';

/** Identity's personal fields (sealed per person in the log, see src/privacy). */
export const IDENTITY_PERSONAL_DATA = [
  personal('UserRegistered', (d) => d.user_id, ['email', 'display_name']),
  personal('EmailChanged', (d) => d.user_id, ['email', 'previous_email']),
  personal('SessionStarted', (d) => d.user_id, ['ip', 'device', 'location']),
  personal('RefreshGraceUsed', (d) => d.user_id, ['ip']),
];

/**
 * A login counter's `key` is the plain SHA-256 of the address tried (a dictionary reverses it),
 * also for an address with no account. Nothing reads it back (the counter's state ignores it), so
 * it is stored as a keyed hash, like the counter's stream name; an MFA counter's key is the user
 * id and stays.
 */
const loginKey = (d: { scope?: unknown }) => (d.scope === 'login' ? ['key'] : []);
export const BRUTE_FORCE_PERSONAL_DATA = [
  'AttemptClaimed',
  'AttemptFailed',
  'AttemptSucceeded',
  'CredentialLocked',
  'CredentialUnlocked',
].map((type) => keyedHash(type, loginKey));
