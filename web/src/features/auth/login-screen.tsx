import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { ApiError } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { validateLogin, type LoginErrors } from './login-validation';
import { logIn } from './session';
import { PasskeyLoginButton } from '../passkeys/passkey-login-button';

export function LoginScreen() {
  const t = useT();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<LoginErrors>({});
  const [status, setStatus] = useState<{ s: 'idle' | 'pending' | 'error'; text?: string }>({ s: 'idle' });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = validateLogin({ email, password });
    setErrors(v);
    if (Object.keys(v).length) return;
    setStatus({ s: 'pending', text: t('app.loading') });
    try {
      await logIn(email.trim(), password);
      await qc.invalidateQueries();
    } catch (err) {
      setStatus({ s: 'error', text: t('login.failed', { detail: err instanceof ApiError ? err.message : String(err) }) });
    }
  };

  return (
    <main id="main" className="login">
      <h1>{t('login.title')}</h1>
      <form onSubmit={submit} noValidate aria-label={t('login.title')}>
        <Field
          id="email"
          label={t('login.email')}
          type="email"
          autoComplete="username webauthn"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email ? t(errors.email) : null}
        />
        <Field
          id="password"
          label={t('login.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password ? t(errors.password) : null}
        />
        <button id="login" type="submit" className="primary">
          {t('login.submit')}
        </button>
      </form>
      <PasskeyLoginButton />
      <p>
        <Link to="/account/forgot-password">{t('login.forgot')}</Link>
      </p>
      <Status id="login-status" status={status.s}>
        {status.text}
      </Status>
    </main>
  );
}
