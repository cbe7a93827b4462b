import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import type { MessageKey } from '../../i18n/en';
import { validateLogin } from '../auth/login-validation';

/** /account/forgot-password: asks for a reset link (the answer is the same for every address). */
export function ForgotPasswordScreen() {
  const t = useT();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const ask = useMutation({ mutationFn: (e: string) => api.post('/auth/password/forgot', { email: e }, { auth: false }) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = validateLogin({ email, password: 'x' }).email ?? null;
    setError(v);
    if (!v) ask.mutate(email.trim());
  };
  return (
    <main id="main" className="login">
      <h1>{t('forgot.title')}</h1>
      <form onSubmit={submit} noValidate>
        <Field id="forgot-email" label={t('login.email')} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={error ? t(error) : null} />
        <button type="submit" className="primary" disabled={ask.isPending}>
          {t('forgot.submit')}
        </button>
      </form>
      <Status id="forgot-status" status={ask.isSuccess ? 'ok' : ask.isError ? 'error' : 'idle'}>
        {ask.isSuccess ? t('forgot.sent') : ask.error?.message}
      </Status>
      <Link to="/account">{t('reset.signIn')}</Link>
    </main>
  );
}
