import { defineProjection } from '../src/projections-runtime/projection.js';
import type { CredentialEvent } from '../src/mfa/webauthn/credential.decider.js';

/**
 * One document per WebAuthn credential (id = credential id, base64url): the passkey list,
 * the credential -> user lookup of passwordless sign-in, and the count read by
 * MfaMethodsReader (user_id + status 'active'|'deleted').
 */
export interface WebAuthnCredentialView {
  id: string;
  user_id: string;
  status: 'active' | 'deleted';
  name: string;
  public_key: string;
  counter: number;
  transports: string[];
  aaguid: string;
  backed_up: boolean;
  device_type: string;
  created_at: string;
  last_used_at: string | null;
  deleted_at: string | null;
  [k: string]: unknown;
}

export const webauthnCredentialsProjection = defineProjection({
  name: 'webauthn_credentials',
  collections: [{ name: 'webauthn_credentials', indexes: [{ fields: ['user_id', 'status', 'created_at'] }] }],
  handles: ['WebAuthnCredentialRegistered', 'WebAuthnCredentialUsed', 'WebAuthnCredentialRenamed', 'WebAuthnCredentialDeleted'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as CredentialEvent;
    const col = tx.collection<WebAuthnCredentialView>('webauthn_credentials');
    switch (e.type) {
      case 'WebAuthnCredentialRegistered': {
        const c = e.data.credential;
        await col.upsert({
          id: c.id,
          user_id: e.data.user_id,
          status: 'active',
          name: c.name,
          public_key: c.public_key,
          counter: c.counter,
          transports: c.transports,
          aaguid: c.aaguid,
          backed_up: c.backed_up,
          device_type: c.device_type,
          created_at: c.created_at,
          last_used_at: c.last_used_at,
          deleted_at: null,
        });
        break;
      }
      case 'WebAuthnCredentialUsed':
        await patchOwned(col, e.data.credential_id, e.data.user_id, {
          counter: e.data.counter,
          backed_up: e.data.backed_up,
          last_used_at: e.data.used_at,
        });
        break;
      case 'WebAuthnCredentialRenamed':
        await patchOwned(col, e.data.credential_id, e.data.user_id, { name: e.data.name });
        break;
      case 'WebAuthnCredentialDeleted':
        await patchOwned(col, e.data.credential_id, e.data.user_id, { status: 'deleted', deleted_at: event.occurred_at });
        break;
      default:
        break;
    }
  },
});

/** Only the owner's events touch a document (a credential id re-registered elsewhere keeps its new owner). */
async function patchOwned(
  col: {
    get(id: string): Promise<WebAuthnCredentialView | null>;
    patch(id: string, p: { set: Record<string, unknown> }): Promise<boolean>;
  },
  id: string,
  userId: string,
  set: Record<string, unknown>,
) {
  const doc = await col.get(id);
  if (doc && doc.user_id === userId) await col.patch(id, { set });
}
