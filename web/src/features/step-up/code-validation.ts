import type { MessageKey } from '../../i18n/en';

const SIX_DIGITS = /^\d{6}$/;

/** A one-time code before it is sent: six digits for TOTP/SMS/e-mail, anything non-empty for a recovery code. */
export function validateCode(method: string, code: string): MessageKey | null {
  const c = code.trim();
  if (!c) return 'form.required';
  if (method !== 'recovery_code' && !SIX_DIGITS.test(c)) return 'form.code';
  return null;
}
