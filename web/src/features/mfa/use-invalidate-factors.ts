import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { factorKeys } from './api';

/** Refetch every view of the person's factors (methods, enforcement banner, recovery count). */
export function useInvalidateFactors(): () => Promise<void> {
  const qc = useQueryClient();
  return useCallback(async () => {
    await Promise.all(factorKeys.map((queryKey) => qc.invalidateQueries({ queryKey })));
  }, [qc]);
}
