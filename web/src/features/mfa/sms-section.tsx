import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';
import { validateCode } from '../step-up/code-validation';
import { useMethods } from './api';
import { validatePhone } from './phone-validation';
import { useInvalidateFactors } from './use-invalidate-factors';

/** SMS codes: enrol a phone (a code confirms it), see it masked, remove it. */
export function SmsSection() {
  const t = useT();
  const methods = useMethods();
  const invalidate = useInvalidateFactors();
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<{ phone?: MessageKey | null; code?: MessageKey | null }>({});
  const [pending, setPending] = useState<{ challenge_id: string; phone_masked: string } | null>(null);
  const enrol = useMutation({
    mutationFn: (p: string) => api.post<{ challenge_id: string; phone_masked: string }>('/auth/mfa/sms/enroll', { phone: p }),
    onSuccess: setPending,
  });
  const confirm = useMutation({
    mutationFn: (c: string) => api.post('/auth/mfa/sms/enroll/confirm', { code: c, challenge_id: pending?.challenge_id }),
    onSuccess: async () => {
      setPending(null);
      setCode('');
      await invalidate();
    },
  });
  const remove = useMutation({ mutationFn: () => api.delete('/auth/mfa/sms'), onSuccess: invalidate });
  const sms = methods.data?.sms;

  const submitPhone = (e: FormEvent) => {
    e.preventDefault();
    const err = validatePhone(phone);
    setErrors({ phone: err });
    if (!err) enrol.mutate(phone.trim());
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    const err = validateCode('sms', code);
    setErrors({ code: err });
    if (!err) confirm.mutate(code.trim());
  };
  const error = enrol.error ?? confirm.error ?? remove.error;

  return (
    <section aria-labelledby="sms-title" className="card">
      <h2 id="sms-title">{t('sms.title')}</h2>
      {sms?.enrolled ? (
        <>
          <p data-testid="sms-status">{t('sms.enrolled', { phone: sms.phone_masked ?? '' })}</p>
          <button type="button" onClick={() => remove.mutate()}>
            {t('sms.remove')}
          </button>
        </>
      ) : pending ? (
        <form onSubmit={submitCode} noValidate>
          <p>{t('stepup.smsSent', { phone: pending.phone_masked })}</p>
          <Field id="sms-code" label={t('stepup.code')} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} error={errors.code ? t(errors.code) : null} />
          <button type="submit" className="primary">
            {t('sms.confirm')}
          </button>
        </form>
      ) : (
        <form onSubmit={submitPhone} noValidate>
          <Field id="sms-phone" label={t('sms.phone')} type="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} error={errors.phone ? t(errors.phone) : null} hint={t('sms.phoneHint')} />
          <button type="submit">{t('sms.send')}</button>
        </form>
      )}
      <Status status={confirm.isSuccess ? 'ok' : error ? 'error' : 'idle'}>{confirm.isSuccess ? t('sms.confirmed') : error?.message}</Status>
    </section>
  );
}
