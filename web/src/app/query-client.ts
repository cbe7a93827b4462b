import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../lib/api-client';

/** Server state: TanStack Query. A 4xx is an answer, not a glitch: no retries for it. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
}
