import { useEffect, useRef, useState } from 'react';
import { setStepUpHandler } from '../../lib/api-client';
import { StepUpDialog } from './step-up-dialog';

interface Pending {
  reason: 'step_up' | 'login';
  resolve: (ok: boolean) => void;
}

/**
 * Registers the API client's step-up handler: whenever a call answers `mfa_step_up_required`
 * (or `mfa_required`), the dialog asks for a second factor and the call is sent again. Calls that
 * need it at the same time share one prompt.
 */
export function StepUpProvider() {
  const [pending, setPending] = useState<Pending | null>(null);
  const waiters = useRef<Array<(ok: boolean) => void>>([]);
  useEffect(() => {
    setStepUpHandler(
      (problem) =>
        new Promise<boolean>((resolve) => {
          waiters.current.push(resolve);
          setPending((p) => p ?? { reason: problem.error_code === 'mfa_required' ? 'login' : 'step_up', resolve });
        }),
    );
    return () => setStepUpHandler(null);
  }, []);
  if (!pending) return null;
  return (
    <StepUpDialog
      reason={pending.reason}
      onDone={(ok) => {
        const all = waiters.current;
        waiters.current = [];
        setPending(null);
        for (const w of all) w(ok);
      }}
    />
  );
}
