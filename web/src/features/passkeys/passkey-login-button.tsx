import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Status } from '../../components/status';
import { useT } from '../../lib/i18n';
import { browserSupportsWebAuthn, passkeyLogin } from './webauthn';

/** Passwordless sign-in with a discoverable passkey. */
export function PasskeyLoginButton() {
  const t = useT();
  const qc = useQueryClient();
  const login = useMutation({ mutationFn: passkeyLogin, onSuccess: () => qc.invalidateQueries() });
  if (!browserSupportsWebAuthn()) return null;
  return (
    <>
      <p>
        <button id="passwordless" type="button" onClick={() => login.mutate()}>
          {t('login.passkey')}
        </button>
      </p>
      <Status id="passwordless-result" status={login.isError ? 'error' : 'idle'}>
        {login.error?.message}
      </Status>
    </>
  );
}
