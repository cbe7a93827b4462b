import { useEffect, useRef } from 'react';

/** An RFC 9457 problem as the API sends it (`error_code` is the stable part). */
export interface Problem {
  status: number;
  error_code: string;
  detail?: string;
  [extra: string]: unknown;
}

type Listener = (problem: Problem) => void;
const listeners = new Set<Listener>();

/**
 * The one app-wide error channel: the API client publishes every problem answer of every call
 * here (queries, mutations, dialogs alike), and app-level handlers subscribe by error_code — the
 * TenantTierUpgradeModal listens for `tenant_type_not_eligible`. Screens still get the error
 * themselves (as an ApiError) to show it at the field.
 */
export const errorChannel = {
  publish(problem: Problem): void {
    for (const l of [...listeners]) l(problem);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** Calls `handler` for every published problem with this error_code while the component is mounted. */
export function useProblemListener(errorCode: string, handler: Listener): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(
    () =>
      errorChannel.subscribe((p) => {
        if (p.error_code === errorCode) latest.current(p);
      }),
    [errorCode],
  );
}
