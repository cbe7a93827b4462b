import { useQuery } from '@tanstack/react-query';
import { api } from '../../lib/api-client';

export interface TrustedDevice {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  device: { browser?: string | null; os?: string | null } | null;
  location: { city?: string | null; country?: string | null } | null;
}

export const devicesKey = ['trusted-devices'] as const;
export const useTrustedDevices = () =>
  useQuery({ queryKey: devicesKey, queryFn: () => api.get<{ items: TrustedDevice[] }>('/auth/mfa/trusted-devices') });
/** Whether this browser's httpOnly device cookie is one of them (the page cannot read the cookie itself). */
export const useThisBrowser = () =>
  useQuery({
    queryKey: [...devicesKey, 'this-browser'],
    queryFn: () => api.get<{ trusted: boolean; id: string | null; expires_at: string | null }>('/auth/mfa/trusted-devices/check'),
  });
