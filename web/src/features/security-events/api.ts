import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../../lib/api-client';

/** `GET /auth/security-events` item (projections/security-events.ts). */
export interface SecurityEvent {
  id: string;
  type: string;
  occurred_at: string;
  ip: string | null;
  device: { browser?: string | null; os?: string | null } | null;
  location: { city?: string | null; country?: string | null } | null;
  details: Record<string, unknown>;
}

interface Page {
  items: SecurityEvent[];
  next_cursor: string | null;
}

export function useSecurityEvents(limit: number, type?: string) {
  return useInfiniteQuery({
    queryKey: ['security-events', limit, type ?? ''],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (type) q.set('type', type);
      if (pageParam) q.set('cursor', pageParam);
      return api.get<Page>(`/auth/security-events?${q}`);
    },
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}
