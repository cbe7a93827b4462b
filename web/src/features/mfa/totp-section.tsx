import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';
import { validateCode } from '../step-up/code-validation';
import { useMethods } from './api';
import { useInvalidateFactors } from './use-invalidate-factors';

interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

/** The manual key in groups of four, as authenticator apps show it. */
export const groupKey = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');
/** The server's SVG QR code as an image URL (img-src allows data:; no inline markup). */
const svgDataUrl = (svg: string): string => `data:image/svg+xml;base64,${btoa(svg)}`;

/** TOTP: enrol with the QR code or the manual key, confirm with a code; remove. */
export function TotpSection() {
  const t = useT();
  const methods = useMethods();
  const invalidate = useInvalidateFactors();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<MessageKey | null>(null);
  const start = useMutation({ mutationFn: () => api.post<Enrolment>('/auth/mfa/totp/enroll'), onSuccess: (e) => setEnrolment(e) });
  const confirm = useMutation({
    mutationFn: (c: string) => api.post('/auth/mfa/totp/confirm', { code: c }),
    onSuccess: async () => {
      setEnrolment(null);
      setCode('');
      await invalidate();
    },
  });
  const remove = useMutation({ mutationFn: () => api.delete('/auth/mfa/totp'), onSuccess: invalidate });
  const enrolled = methods.data?.totp.enrolled ?? false;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const err = validateCode('totp', code);
    setCodeError(err);
    if (!err) confirm.mutate(code.trim());
  };

  return (
    <section aria-labelledby="totp-title" className="card">
      <h2 id="totp-title">{t('totp.title')}</h2>
      <p data-testid="totp-status">{enrolled ? t('totp.enrolled') : t('totp.notEnrolled')}</p>
      {!enrolment && (
        <button type="button" className={enrolled ? undefined : 'primary'} onClick={() => start.mutate()} disabled={start.isPending}>
          {enrolled ? t('totp.replace') : t('totp.start')}
        </button>
      )}
      {enrolled && !enrolment && (
        <button type="button" onClick={() => remove.mutate()} disabled={remove.isPending}>
          {t('totp.remove')}
        </button>
      )}
      {enrolment && (
        <div className="enrolment">
          <p>{t('totp.scan')}</p>
          <img src={svgDataUrl(enrolment.qr_svg)} alt={t('totp.qrAlt')} width={220} height={220} data-testid="totp-qr" className="qr" />
          <p>
            {t('totp.manual')} <code data-testid="totp-secret">{groupKey(enrolment.secret)}</code>
          </p>
          <form onSubmit={submit} noValidate>
            <Field
              id="totp-code"
              label={t('totp.code')}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={codeError ? t(codeError) : null}
            />
            <button type="submit" className="primary" disabled={confirm.isPending}>
              {t('totp.confirm')}
            </button>
          </form>
        </div>
      )}
      <Status id="totp-result" status={confirm.isSuccess ? 'ok' : confirm.isError || start.isError || remove.isError ? 'error' : 'idle'}>
        {confirm.isSuccess ? t('totp.confirmed') : (confirm.error ?? start.error ?? remove.error)?.message}
      </Status>
    </section>
  );
}
