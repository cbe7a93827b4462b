import { startAuthentication, startRegistration, browserSupportsWebAuthn } from '@simplewebauthn/browser';
import { api } from '../../lib/api-client';
import { tokens } from '../../lib/tokens';

export { browserSupportsWebAuthn };

/** Registers a passkey (`/auth/mfa/webauthn/register/*`). */
export async function registerPasskey(name: string): Promise<{ name: string }> {
  const options = await api.post<Parameters<typeof startRegistration>[0]['optionsJSON']>('/auth/mfa/webauthn/register/options', {});
  const response = await startRegistration({ optionsJSON: options });
  const r = await api.post<{ enrolled: boolean; credential: { name: string } }>('/auth/mfa/webauthn/register/verify', { response, name });
  return r.credential;
}

/** Verifies the signed-in user with a passkey; the answer's access token records it (step-up). */
export async function verifyWithPasskey(): Promise<void> {
  const options = await api.post<Parameters<typeof startAuthentication>[0]['optionsJSON']>('/auth/mfa/webauthn/authenticate/options', {});
  const response = await startAuthentication({ optionsJSON: options });
  const r = await api.post<{ access_token: string }>('/auth/mfa/webauthn/authenticate/verify', { response });
  tokens.set(r.access_token);
}

/** Passwordless sign-in (`/auth/passkey/login/*`). */
export async function passkeyLogin(): Promise<void> {
  const r = await api.post<{ attempt_id: string; options: Parameters<typeof startAuthentication>[0]['optionsJSON'] }>(
    '/auth/passkey/login/options',
    {},
    { auth: false },
  );
  const response = await startAuthentication({ optionsJSON: r.options });
  const t = await api.post<{ access_token: string }>('/auth/passkey/login/verify', { attempt_id: r.attempt_id, response, refresh_cookie: true }, { auth: false });
  tokens.set(t.access_token);
}
