import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { Modal } from '../../components/modal';
import { Status } from '../../components/status';
import { api, ApiError } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { tokens } from '../../lib/tokens';
import type { MessageKey } from '../../i18n/en';
import { verifyWithPasskey } from '../passkeys/webauthn';
import { validateCode } from './code-validation';
import { MethodPicker, type FactorMethod } from './method-picker';

export type StepUpMethod = FactorMethod;

interface Enforcement {
  allowed_methods: string[];
  enrolled_methods: string[];
}

/** The methods the user can prove now: enrolled possession factors the tenant allows, plus a recovery code. */
export function stepUpMethods(e: Enforcement | undefined): StepUpMethod[] {
  if (!e) return ['totp'];
  const own = (['totp', 'sms', 'webauthn'] as const).filter((m) => e.enrolled_methods.includes(m) && e.allowed_methods.includes(m));
  return own.length ? [...own, 'recovery_code'] : [];
}

/**
 * Asks for a second factor and verifies it; the answer's access token (which records the
 * verification) replaces the one in memory, then `onDone(true)` lets the API client retry.
 */
export function StepUpDialog({ reason, onDone }: { reason: 'step_up' | 'login'; onDone: (ok: boolean) => void }) {
  const t = useT();
  const enforcement = useQuery({ queryKey: ['mfa-enforcement'], queryFn: () => api.get<Enforcement>('/auth/mfa/enforcement') });
  const methods = stepUpMethods(enforcement.data);
  const [chosen, setChosen] = useState<StepUpMethod | null>(null);
  const method = chosen ?? methods[0] ?? 'totp';
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<MessageKey | null>(null);
  const [sms, setSms] = useState<{ challenge_id: string; phone_masked: string } | null>(null);
  const [status, setStatus] = useState<{ s: 'idle' | 'pending' | 'ok' | 'error'; text?: string }>({ s: 'idle' });

  const fail = (err: unknown) => setStatus({ s: 'error', text: t('stepup.failed', { detail: err instanceof ApiError ? err.message : String(err) }) });
  const adopt = (r: { access_token: string }) => {
    tokens.set(r.access_token);
    onDone(true);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const err = validateCode(method, code);
    setCodeError(err);
    if (err) return;
    setStatus({ s: 'pending' });
    try {
      if (method === 'totp') adopt(await api.post('/auth/mfa/totp/verify', { code: code.trim() }));
      else if (method === 'recovery_code') adopt(await api.post('/auth/mfa/recovery-codes/verify', { code: code.trim() }));
      else if (method === 'sms' && sms) adopt(await api.post('/auth/mfa/sms/verify', { challenge_id: sms.challenge_id, code: code.trim() }));
    } catch (x) {
      fail(x);
    }
  };

  const sendSms = async () => {
    try {
      setSms(await api.post('/auth/mfa/sms/challenge', {}));
    } catch (x) {
      fail(x);
    }
  };

  const passkey = async () => {
    setStatus({ s: 'pending' });
    try {
      await verifyWithPasskey();
      onDone(true);
    } catch (x) {
      fail(x);
    }
  };

  return (
    <Modal title={t('stepup.title')} onClose={() => onDone(false)} testId="step-up-dialog">
      <p>{t(reason === 'login' ? 'stepup.introLogin' : 'stepup.intro')}</p>
      <MethodPicker methods={methods} value={method} onChange={setChosen} name="step-up-method" />
      {method === 'webauthn' ? (
        <button type="button" className="primary" onClick={passkey}>
          {t('stepup.usePasskey')}
        </button>
      ) : (
        <form onSubmit={submit} noValidate>
          {method === 'sms' && !sms && (
            <button type="button" onClick={sendSms}>
              {t('stepup.sendSms')}
            </button>
          )}
          {method === 'sms' && sms && <p>{t('stepup.smsSent', { phone: sms.phone_masked })}</p>}
          {(method !== 'sms' || sms) && (
            <>
              <Field
                id="step-up-code"
                data-autofocus
                label={t(method === 'recovery_code' ? 'stepup.recovery' : 'stepup.code')}
                inputMode={method === 'recovery_code' ? 'text' : 'numeric'}
                autoComplete="one-time-code"
                value={code}
                onChange={(e) => setCode(e.target.value)}
                error={codeError ? t(codeError) : null}
              />
              <button type="submit" className="primary">
                {t('stepup.verify')}
              </button>
            </>
          )}
        </form>
      )}
      <Status status={status.s}>{status.text}</Status>
    </Modal>
  );
}
