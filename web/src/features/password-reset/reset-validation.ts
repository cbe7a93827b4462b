import type { MessageKey } from '../../i18n/en';

export interface ResetErrors {
  password?: MessageKey;
  repeat?: MessageKey;
}

/** The new password: 10–256 characters, not blank (the server's rule), typed twice alike. */
export function validateNewPassword(password: string, repeat: string): ResetErrors {
  const errors: ResetErrors = {};
  if (!password) errors.password = 'form.required';
  else if (password.length < 10 || !password.trim()) errors.password = 'form.passwordShort';
  else if (password.length > 256) errors.password = 'form.passwordLong';
  if (!errors.password && repeat !== password) errors.repeat = 'form.passwordMismatch';
  return errors;
}

/** The token of the e-mailed link: `/account/reset-password#token=…` (a fragment never reaches a server log). */
export function resetTokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && /^[\w.-]{10,200}$/.test(token) ? token : null;
}
