import type { DomainEvent } from '../../eventstore/aggregate-repository.js';
import { badRequest, conflict, notFound } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';

/** A stored passkey / security key. Public key and id are base64url; nothing here is secret. */
export interface StoredCredential {
  id: string;
  public_key: string;
  counter: number;
  transports: string[];
  aaguid: string;
  backed_up: boolean;
  device_type: 'singleDevice' | 'multiDevice';
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export type CredentialEvent =
  | DomainEvent<'WebAuthnCredentialRegistered', { user_id: string; credential: StoredCredential; user_verified: boolean; fmt: string }>
  | DomainEvent<'MfaEnrolled', { user_id: string; method: 'webauthn'; credential_id: string; credential_name: string }>
  | DomainEvent<
      'WebAuthnCredentialUsed',
      {
        user_id: string;
        credential_id: string;
        counter: number;
        backed_up: boolean;
        user_verified: boolean;
        purpose: string;
        used_at: string;
      }
    >
  | DomainEvent<
      'WebAuthnCounterRegressionDetected',
      { user_id: string; credential_id: string; credential_name: string; stored_counter: number; received_counter: number }
    >
  | DomainEvent<'WebAuthnCredentialRenamed', { user_id: string; credential_id: string; name: string; previous_name: string }>
  | DomainEvent<'WebAuthnCredentialDeleted', { user_id: string; credential_id: string }>
  | DomainEvent<
      'MfaDisabled',
      { user_id: string; method: 'webauthn'; credential_id: string; credential_name: string; remaining_credentials: number }
    >;

export interface CredentialsState {
  user_id: string;
  /** Active credentials by id. */
  credentials: Record<string, StoredCredential>;
}

export const webauthnStream = (userId: string) => `webauthn-${userId}`;

export const credentialEvolver = {
  snapshot: { schema: 1 },
  initialState: (): CredentialsState => ({ user_id: '', credentials: {} }),
  evolve(s: CredentialsState, e: CredentialEvent): CredentialsState {
    switch (e.type) {
      case 'WebAuthnCredentialRegistered':
        return { user_id: e.data.user_id, credentials: { ...s.credentials, [e.data.credential.id]: e.data.credential } };
      case 'WebAuthnCredentialUsed': {
        const c = own(s.credentials, e.data.credential_id);
        if (!c) return s;
        return {
          ...s,
          credentials: {
            ...s.credentials,
            [c.id]: { ...c, counter: e.data.counter, backed_up: e.data.backed_up, last_used_at: e.data.used_at },
          },
        };
      }
      case 'WebAuthnCredentialRenamed': {
        const c = own(s.credentials, e.data.credential_id);
        return c ? { ...s, credentials: { ...s.credentials, [c.id]: { ...c, name: e.data.name } } } : s;
      }
      case 'WebAuthnCredentialDeleted': {
        const { [e.data.credential_id]: _gone, ...rest } = s.credentials;
        return { ...s, credentials: rest };
      }
      default:
        return s;
    }
  },
};

export const MAX_CREDENTIALS = 20;

export function normaliseName(name: string | undefined, fallback: string): string {
  const n = (name ?? '').trim().replace(/\s+/g, ' ');
  if (n.length > 64) throw badRequest('validation_failed', 'name must be at most 64 characters');
  return n || fallback;
}

export function decideRegister(
  s: CredentialsState,
  userId: string,
  credential: StoredCredential,
  meta: { user_verified: boolean; fmt: string },
): CredentialEvent[] {
  if (own(s.credentials, credential.id))
    throw conflict('webauthn_credential_exists', 'This authenticator is already registered to your account.');
  if (Object.keys(s.credentials).length >= MAX_CREDENTIALS)
    throw conflict('webauthn_credential_limit', `At most ${MAX_CREDENTIALS} passkeys per account.`);
  return [
    { type: 'WebAuthnCredentialRegistered', data: { user_id: userId, credential, user_verified: meta.user_verified, fmt: meta.fmt } },
    { type: 'MfaEnrolled', data: { user_id: userId, method: 'webauthn', credential_id: credential.id, credential_name: credential.name } },
  ];
}

/**
 * A verified assertion: the signature counter must grow, unless the authenticator always
 * reports 0 (allowed: synced passkeys do). Anything else suggests a cloned authenticator.
 */
export function counterRegressed(stored: number, received: number): boolean {
  return (received > 0 || stored > 0) && received <= stored;
}

export function decideUse(
  s: CredentialsState,
  use: { credential_id: string; counter: number; backed_up: boolean; user_verified: boolean; purpose: string; now: string },
): CredentialEvent[] {
  const c = own(s.credentials, use.credential_id);
  if (!c) throw badRequest('webauthn_credential_unknown', 'This passkey is not registered (or was removed).');
  if (counterRegressed(c.counter, use.counter)) {
    return [
      {
        type: 'WebAuthnCounterRegressionDetected',
        data: {
          user_id: s.user_id,
          credential_id: c.id,
          credential_name: c.name,
          stored_counter: c.counter,
          received_counter: use.counter,
        },
      },
    ];
  }
  return [
    {
      type: 'WebAuthnCredentialUsed',
      data: {
        user_id: s.user_id,
        credential_id: c.id,
        counter: use.counter,
        backed_up: use.backed_up,
        user_verified: use.user_verified,
        purpose: use.purpose,
        used_at: use.now,
      },
    },
  ];
}

export function decideRename(s: CredentialsState, credentialId: string, name: string): CredentialEvent[] {
  const c = own(s.credentials, credentialId);
  if (!c) throw notFound('webauthn_credential_not_found', 'No such passkey on your account.');
  if (c.name === name) return [];
  return [{ type: 'WebAuthnCredentialRenamed', data: { user_id: s.user_id, credential_id: c.id, name, previous_name: c.name } }];
}

export function decideDelete(s: CredentialsState, credentialId: string): CredentialEvent[] {
  const c = own(s.credentials, credentialId);
  if (!c) throw notFound('webauthn_credential_not_found', 'No such passkey on your account.');
  return [
    { type: 'WebAuthnCredentialDeleted', data: { user_id: s.user_id, credential_id: c.id } },
    {
      type: 'MfaDisabled',
      data: {
        user_id: s.user_id,
        method: 'webauthn',
        credential_id: c.id,
        credential_name: c.name,
        remaining_credentials: Object.keys(s.credentials).length - 1,
      },
    },
  ];
}
