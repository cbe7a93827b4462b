import type { MessageKey } from '../../i18n/en';

/** A phone number for SMS codes, before it is sent (the server normalises it to E.164 and checks again). */
export function validatePhone(phone: string): MessageKey | null {
  const p = phone.trim();
  if (!p) return 'form.required';
  if (!/^\+?[0-9][0-9 ()-]{5,20}$/.test(p) || p.replace(/\D/g, '').length < 7) return 'form.phone';
  return null;
}
