import { personal } from '../privacy/personal-data-rule.js';

/**
 * MFA's personal fields. The phone is already sealed with the server key (phone_sealed); it is
 * sealed again with the person's key so that destroying that key makes it unreadable too.
 * phone_hash stays: a keyed hash that finds nobody without the server secret.
 */
export const MFA_PERSONAL_DATA = [
  personal('MfaEnrolled', (d) => d.user_id, ['credential_name', 'phone_sealed', 'phone_masked']),
  personal('MfaDisabled', (d) => d.user_id, ['credential_name', 'phone_masked']),
  personal('WebAuthnCredentialRenamed', (d) => d.user_id, ['name', 'previous_name']),
  personal('WebAuthnCounterRegressionDetected', (d) => d.user_id, ['credential_name']),
  personal('OtpChallengeIssued', (d) => d.user_id, ['phone_sealed', 'phone_masked']),
  personal('TrustedDeviceAdded', (d) => d.user_id, ['name', 'device', 'location']),
  personal('TrustedDeviceRemoved', (d) => d.user_id, ['name']),
];
