/** The `<Status>` state of a TanStack mutation (pending, error, ok after a success, else idle). */
export const mutationStatus = (m: { isPending: boolean; isError: boolean; isSuccess: boolean }): 'idle' | 'pending' | 'ok' | 'error' =>
  m.isPending ? 'pending' : m.isError ? 'error' : m.isSuccess ? 'ok' : 'idle';
