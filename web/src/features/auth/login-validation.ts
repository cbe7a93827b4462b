import type { MessageKey } from '../../i18n/en';

export interface LoginErrors {
  email?: MessageKey;
  password?: MessageKey;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Client-side checks before a login is sent (the API checks again). */
export function validateLogin(v: { email: string; password: string }): LoginErrors {
  const errors: LoginErrors = {};
  if (!v.email.trim()) errors.email = 'form.required';
  else if (!EMAIL.test(v.email.trim())) errors.email = 'form.email';
  if (!v.password) errors.password = 'form.required';
  return errors;
}
