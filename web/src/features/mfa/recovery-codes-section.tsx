import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { RECOVERY_CODES_LOW, useMethods, useRecoveryCount } from './api';
import { useInvalidateFactors } from './use-invalidate-factors';

/** Shown once: the fresh codes, with copy and download; afterwards only the remaining count. */
export function RecoveryCodesSection() {
  const t = useT();
  const count = useRecoveryCount();
  const methods = useMethods();
  const invalidate = useInvalidateFactors();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [copied, setCopied] = useState(false);
  const generate = useMutation({
    mutationFn: () => api.post<{ codes: string[] }>('/auth/mfa/recovery-codes/generate'),
    onSuccess: async (r) => {
      setCodes(r.codes);
      setCopied(false);
      await invalidate();
    },
  });
  const remaining = count.data?.remaining ?? 0;
  const hasFactor = methods.data ? methods.data.totp.enrolled || methods.data.sms.enrolled || methods.data.webauthn.credential_count > 0 : false;
  const text = codes?.join('\n') ?? '';
  const download = () => {
    const url = URL.createObjectURL(new Blob([`${t('codes.fileHeader')}\n\n${text}\n`], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'petanque-life-recovery-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section aria-labelledby="codes-title" className="card">
      <h2 id="codes-title">{t('codes.title')}</h2>
      {count.isSuccess && !codes && (
        <p data-testid="codes-remaining">{t('codes.remaining', { count: remaining })}</p>
      )}
      {count.isSuccess && !codes && hasFactor && remaining <= RECOVERY_CODES_LOW && (
        <p className="warning" role="status" data-testid="codes-low">
          {remaining === 0 ? t('codes.none') : t('codes.low')}
        </p>
      )}
      {codes ? (
        <div data-testid="codes-once">
          <p className="warning">{t('codes.once')}</p>
          <ul className="codes" aria-label={t('codes.title')}>
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <div className="actions left">
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard?.writeText(text).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {t('codes.copy')}
            </button>
            <button type="button" onClick={download}>
              {t('codes.download')}
            </button>
            <button type="button" className="primary" onClick={() => setCodes(null)}>
              {t('codes.saved')}
            </button>
          </div>
          {copied && <p role="status">{t('codes.copied')}</p>}
        </div>
      ) : (
        <button type="button" onClick={() => generate.mutate()} disabled={generate.isPending || !hasFactor}>
          {remaining > 0 ? t('codes.regenerate') : t('codes.generate')}
        </button>
      )}
      {!hasFactor && methods.isSuccess && <p className="hint">{t('codes.needFactor')}</p>}
      <Status id="codes-result" status={generate.isError ? 'error' : 'idle'}>
        {generate.error?.message}
      </Status>
    </section>
  );
}
