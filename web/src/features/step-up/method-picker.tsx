import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';

export type FactorMethod = 'totp' | 'sms' | 'webauthn' | 'recovery_code';
export const METHOD_LABEL: Record<FactorMethod, MessageKey> = {
  totp: 'stepup.totp',
  sms: 'stepup.sms',
  webauthn: 'stepup.webauthn',
  recovery_code: 'stepup.recovery',
};

/** Radio buttons for the second factor to prove (shown only when there is a choice). */
export function MethodPicker({ methods, value, onChange, name }: { methods: FactorMethod[]; value: FactorMethod; onChange: (m: FactorMethod) => void; name: string }) {
  const t = useT();
  if (methods.length < 2) return null;
  return (
    <fieldset className="methods">
      <legend>{t('stepup.method')}</legend>
      {methods.map((m) => (
        <label key={m} className="radio">
          <input type="radio" name={name} value={m} checked={value === m} onChange={() => onChange(m)} /> {t(METHOD_LABEL[m])}
        </label>
      ))}
    </fieldset>
  );
}
