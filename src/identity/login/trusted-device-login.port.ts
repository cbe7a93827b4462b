/**
 * Seam for trusted devices (F02.07.07): the policy context provides it. A valid device token
 * of the logging-in user makes the new session MFA-satisfied at login (not for step-up), in a
 * tenant whose policy allows the second factor the device was trusted with.
 */
export interface TrustedDeviceLogin {
  isTrusted(userId: string, deviceToken: string, tenantId: string): Promise<boolean>;
}
export const TRUSTED_DEVICE_LOGIN = Symbol('TRUSTED_DEVICE_LOGIN');
