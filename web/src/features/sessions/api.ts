import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api-client';

/** `GET /auth/sessions` item. */
export interface SessionItem {
  id: string;
  current: boolean;
  device: { browser?: string | null; os?: string | null; type?: string | null };
  location: { city?: string | null; country?: string | null } | null;
  ip: string | null;
  last_used_at: string;
  mfa_satisfied: boolean;
}

export const sessionsKey = ['sessions'] as const;
export const useSessions = () => useQuery({ queryKey: sessionsKey, queryFn: () => api.get<{ items: SessionItem[] }>('/auth/sessions') });

export function useRevokeSession() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/auth/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: sessionsKey }),
  });
}

export function useRevokeAllOthers() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<{ revoked: number }>('/auth/sessions/revoke-all'),
    onSuccess: () => qc.invalidateQueries({ queryKey: sessionsKey }),
  });
}

export const deviceName = (s: Pick<SessionItem, 'device'>, unknown: string): string =>
  [s.device.browser, s.device.os].filter(Boolean).join(' on ') || unknown;
export const placeName = (s: Pick<SessionItem, 'location'>): string =>
  s.location ? [s.location.city, s.location.country].filter(Boolean).join(', ') : '';
