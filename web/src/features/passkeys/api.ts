import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api-client';

export interface PasskeyCredential {
  id: string;
  name: string;
  created_at?: string;
  last_used_at: string | null;
}

export const passkeysKey = ['passkeys'] as const;
export const usePasskeys = () =>
  useQuery({ queryKey: passkeysKey, queryFn: () => api.get<{ items: PasskeyCredential[] }>('/auth/mfa/webauthn/credentials') });
