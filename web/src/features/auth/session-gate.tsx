import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { refreshFromCookie } from '../../lib/api-client';
import { useT } from '../../lib/i18n';
import { tokens } from '../../lib/tokens';
import { LoginScreen } from './login-screen';
import { useAccessToken } from './session';

/**
 * Signed-in screens only: on the first render (a reload) the session is restored once from the
 * refresh cookie; without a session the login screen is shown in place, at the same address, so
 * a link from an e-mail (/account/sessions) lands where it pointed after signing in.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const t = useT();
  const token = useAccessToken();
  const restore = useQuery({
    queryKey: ['session-restore'],
    queryFn: async () => (tokens.get() ? true : refreshFromCookie()),
    staleTime: Infinity,
    gcTime: Infinity,
    retry: false,
  });
  if (token) return <>{children}</>;
  if (restore.isPending) return <p className="loading" role="status">{t('app.loading')}</p>;
  return <LoginScreen />;
}
