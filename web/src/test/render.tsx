import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import { createQueryClient } from '../app/query-client';
import { I18nProvider } from '../lib/i18n';

/** Renders with the app's own providers (English texts, a fresh query cache, a memory router). */
export function renderApp(ui: ReactNode, { path = '/account' }: { path?: string } = {}) {
  const queryClient = createQueryClient();
  const result = render(
    <I18nProvider language="en">
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>
      </QueryClientProvider>
    </I18nProvider>,
  );
  return { ...result, queryClient };
}
