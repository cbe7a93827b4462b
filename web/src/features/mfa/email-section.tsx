import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { tokens } from '../../lib/tokens';
import type { MessageKey } from '../../i18n/en';
import { validateCode } from '../step-up/code-validation';
import { useMethods } from './api';
import { useInvalidateFactors } from './use-invalidate-factors';

/**
 * E-mail codes: a break-glass fallback for signing in, never an enrolled factor and never a
 * step-up (the API refuses it where the tenant's policy does not allow it).
 */
export function EmailSection() {
  const t = useT();
  const methods = useMethods();
  const invalidate = useInvalidateFactors();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<MessageKey | null>(null);
  const send = useMutation({ mutationFn: () => api.post<{ challenge_id: string; email_masked: string }>('/auth/mfa/email/challenge') });
  const verify = useMutation({
    mutationFn: (c: string) => api.post<{ access_token: string }>('/auth/mfa/email/verify', { challenge_id: send.data?.challenge_id, code: c }),
    onSuccess: async (r) => {
      tokens.set(r.access_token);
      await invalidate();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const err = validateCode('email', code);
    setCodeError(err);
    if (!err) verify.mutate(code.trim());
  };
  const error = send.error ?? verify.error;
  return (
    <section aria-labelledby="email-title" className="card">
      <h2 id="email-title">{t('email.title')}</h2>
      <p>{t('email.intro', { email: methods.data?.email.email_masked ?? '' })}</p>
      {!send.data ? (
        <button type="button" onClick={() => send.mutate()} disabled={send.isPending}>
          {t('email.send')}
        </button>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>{t('email.sent', { email: send.data.email_masked })}</p>
          <Field id="email-code" label={t('stepup.code')} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} error={codeError ? t(codeError) : null} />
          <button type="submit" className="primary">
            {t('stepup.verify')}
          </button>
        </form>
      )}
      <Status status={verify.isSuccess ? 'ok' : error ? 'error' : 'idle'}>{verify.isSuccess ? t('email.verified') : error?.message}</Status>
    </section>
  );
}
