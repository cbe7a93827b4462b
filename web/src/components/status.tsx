import type { ReactNode } from 'react';

/** A live region for the outcome of an action; `data-status` lets tests wait for it. */
export function Status({ status, children, id }: { status: 'idle' | 'pending' | 'ok' | 'error'; children?: ReactNode; id?: string }) {
  return (
    <p id={id} className={`status status-${status}`} data-status={status} role={status === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
