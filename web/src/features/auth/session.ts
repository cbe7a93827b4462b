import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { api } from '../../lib/api-client';
import { tokens } from '../../lib/tokens';

export interface Me {
  user: { id: string; email: string; display_name: string | null; language: string | null; sys_roles?: string[] };
  tenant: { id: string; name?: string; tenant_type?: string };
  roles: string[];
  session_id: string;
  amr: string[];
  mfa_at: number | null;
  mfa_method: string | null;
}

interface LoginAnswer {
  access_token: string;
  session_id: string;
}

export const useAccessToken = (): string | null => useSyncExternalStore(tokens.subscribe, tokens.get);

/** The signed-in person and tenant (`GET /me`); only while an access token exists. */
export function useMe() {
  const token = useAccessToken();
  return useQuery({ queryKey: ['me'], queryFn: () => api.get<Me>('/me'), enabled: token !== null, staleTime: 60_000 });
}

/**
 * Password login for the browser: `refresh_cookie: true` keeps the refresh token out of the JSON
 * (httpOnly cookie on /auth/refresh); `tenant_id` switches tenant (a switch is a new login).
 */
export async function logIn(email: string, password: string, tenantId?: string): Promise<void> {
  const r = await api.post<LoginAnswer>('/auth/login', { email, password, refresh_cookie: true, ...(tenantId ? { tenant_id: tenantId } : {}) }, { auth: false });
  tokens.set(r.access_token);
}

/** A passwordless passkey login answered the tokens: keep the access token like a password login. */
export function adoptLogin(r: LoginAnswer): void {
  tokens.set(r.access_token);
}

export function useLogOut(): () => Promise<void> {
  const qc = useQueryClient();
  return useCallback(async () => {
    try {
      await api.post('/auth/logout');
    } finally {
      tokens.set(null);
      qc.clear();
    }
  }, [qc]);
}
