import { startAuthentication } from '@simplewebauthn/browser';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api, ApiError } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';
import { validateCode } from '../step-up/code-validation';
import { METHOD_LABEL, MethodPicker, type FactorMethod } from '../step-up/method-picker';
import { resetTokenFromHash, validateNewPassword, type ResetErrors } from './reset-validation';

type Method = FactorMethod;

/**
 * /account/reset-password#token=… (the link of the reset e-mail, issue 16): a new password; when
 * the account has a second factor the API answers 401 mfa_required and the second step asks for
 * it (TOTP, SMS, recovery code or passkey, each bound to this reset, not to a session).
 */
export function ResetPasswordScreen() {
  const t = useT();
  const [token] = useState(() => resetTokenFromHash(window.location.hash));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<ResetErrors>({});
  const [mfa, setMfa] = useState<Method[] | null>(null);
  const [method, setMethod] = useState<Method>('totp');
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<MessageKey | null>(null);
  const [smsSent, setSmsSent] = useState<string | null>(null);
  const [status, setStatus] = useState<{ s: 'idle' | 'pending' | 'ok' | 'error'; text?: string }>({ s: 'idle' });

  if (!token) {
    return (
      <main id="main" className="login">
        <h1>{t('reset.title')}</h1>
        <p role="alert">{t('reset.noToken')}</p>
        <Link to="/account/forgot-password">{t('login.forgot')}</Link>
      </main>
    );
  }

  const send = async (proof?: Record<string, unknown>) => {
    setStatus({ s: 'pending', text: t('app.loading') });
    try {
      await api.post('/auth/password/reset', { token, new_password: password, ...(proof ? { mfa: proof } : {}) }, { auth: false });
      setStatus({ s: 'ok', text: t('reset.done') });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'mfa_required') {
        const allowed = ((err.problem.allowed_methods as string[] | undefined) ?? ['totp']).filter((m): m is Method => m in METHOD_LABEL);
        setMfa(allowed.length ? allowed : ['totp']);
        setMethod(allowed[0] ?? 'totp');
        setStatus({ s: 'idle', text: '' });
        return;
      }
      setStatus({ s: 'error', text: t('reset.failed', { detail: err instanceof Error ? err.message : String(err) }) });
    }
  };

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    const v = validateNewPassword(password, repeat);
    setErrors(v);
    if (Object.keys(v).length === 0) void send();
  };
  const submitProof = async (e: FormEvent) => {
    e.preventDefault();
    if (method === 'webauthn') {
      try {
        const options = await api.post<Parameters<typeof startAuthentication>[0]['optionsJSON']>('/auth/password/reset/webauthn-options', { token }, { auth: false });
        await send({ method, assertion: await startAuthentication({ optionsJSON: options }) });
      } catch (err) {
        setStatus({ s: 'error', text: t('reset.failed', { detail: err instanceof Error ? err.message : String(err) }) });
      }
      return;
    }
    const err = validateCode(method, code);
    setCodeError(err);
    if (!err) await send({ method, code: code.trim() });
  };
  const sendSms = async () => {
    try {
      setSmsSent((await api.post<{ phone_masked: string }>('/auth/password/reset/sms-challenge', { token }, { auth: false })).phone_masked);
    } catch (err) {
      setStatus({ s: 'error', text: t('reset.failed', { detail: err instanceof Error ? err.message : String(err) }) });
    }
  };

  return (
    <main id="main" className="login">
      <h1>{t('reset.title')}</h1>
      {status.s !== 'ok' && !mfa && (
        <form onSubmit={submitPassword} noValidate>
          <Field id="new-password" label={t('reset.newPassword')} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={errors.password ? t(errors.password) : null} hint={t('form.passwordShort')} />
          <Field id="repeat-password" label={t('reset.repeat')} type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} error={errors.repeat ? t(errors.repeat) : null} />
          <button type="submit" className="primary">
            {t('reset.submit')}
          </button>
        </form>
      )}
      {status.s !== 'ok' && mfa && (
        <form onSubmit={submitProof} noValidate>
          <p>{t('reset.mfaNeeded')}</p>
          <MethodPicker methods={mfa} value={method} onChange={setMethod} name="reset-method" />
          {method === 'sms' && !smsSent && (
            <button type="button" onClick={() => void sendSms()}>
              {t('stepup.sendSms')}
            </button>
          )}
          {method === 'sms' && smsSent && <p>{t('stepup.smsSent', { phone: smsSent })}</p>}
          {method !== 'webauthn' && (method !== 'sms' || smsSent) && (
            <Field id="reset-code" label={t(method === 'recovery_code' ? 'stepup.recovery' : 'stepup.code')} autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} error={codeError ? t(codeError) : null} />
          )}
          <button type="submit" className="primary">
            {method === 'webauthn' ? t('stepup.usePasskey') : t('reset.submit')}
          </button>
        </form>
      )}
      <Status id="reset-status" status={status.s}>
        {status.text}
      </Status>
      {status.s === 'ok' && <Link to="/account">{t('reset.signIn')}</Link>}
    </main>
  );
}
