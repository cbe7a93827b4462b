import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Field } from '../../components/field';
import { Status } from '../../components/status';
import { api } from '../../lib/api-client';
import { useI18n } from '../../lib/i18n';
import { enforcementKey } from '../mfa/api';
import { passkeysKey, usePasskeys } from './api';
import { browserSupportsWebAuthn, registerPasskey, verifyWithPasskey } from './webauthn';

/** /account/passkeys: register (step-up first when another factor exists), list, remove, verify. */
export function PasskeysScreen() {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const list = usePasskeys();
  const [name, setName] = useState(t('passkeys.defaultName'));
  const invalidate = () => Promise.all([qc.invalidateQueries({ queryKey: passkeysKey }), qc.invalidateQueries({ queryKey: enforcementKey })]);
  const register = useMutation({ mutationFn: () => registerPasskey(name.trim() || t('passkeys.defaultName')), onSuccess: invalidate });
  const remove = useMutation({ mutationFn: (id: string) => api.delete(`/auth/mfa/webauthn/credentials/${encodeURIComponent(id)}`), onSuccess: invalidate });
  const stepUp = useMutation({ mutationFn: verifyWithPasskey });
  if (!browserSupportsWebAuthn()) return <p>{t('passkeys.unsupported')}</p>;
  const items = list.data?.items ?? [];
  return (
    <>
      <h1>{t('passkeys.title')}</h1>
      <p>{t('passkeys.intro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          register.mutate();
        }}
      >
        <Field id="passkey-name" label={t('passkeys.name')} maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
        <button id="register" type="submit" className="primary" disabled={register.isPending}>
          {t('passkeys.register')}
        </button>
      </form>
      <Status id="register-result" status={register.isSuccess ? 'ok' : register.isError ? 'error' : register.isPending ? 'pending' : 'idle'}>
        {register.isSuccess ? t('passkeys.registered', { name: register.data.name }) : register.error?.message}
      </Status>
      <h2>{t('passkeys.list')}</h2>
      {list.isSuccess && items.length === 0 && <p>{t('passkeys.none')}</p>}
      <ul id="credentials" className="cards">
        {items.map((c) => (
          <li key={c.id} data-credential-id={c.id}>
            <strong>{c.name}</strong> · {c.last_used_at ? t('passkeys.lastUsed', { when: new Date(c.last_used_at).toLocaleString(lang) }) : t('passkeys.neverUsed')}{' '}
            <button type="button" onClick={() => remove.mutate(c.id)}>
              {t('passkeys.remove', { name: c.name })}
            </button>
          </li>
        ))}
      </ul>
      {items.length > 0 && (
        <p>
          <button id="stepup" type="button" onClick={() => stepUp.mutate()}>
            {t('passkeys.stepUp')}
          </button>
        </p>
      )}
      <Status id="stepup-result" status={stepUp.isSuccess ? 'ok' : stepUp.isError ? 'error' : 'idle'}>
        {stepUp.isSuccess ? t('passkeys.verified') : stepUp.error?.message}
      </Status>
    </>
  );
}
