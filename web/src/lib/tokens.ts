/**
 * The access token lives here, in memory only (never localStorage/sessionStorage): a reload loses
 * it and the app restores the session through the httpOnly refresh cookie (lib/session.ts).
 */
let accessToken: string | null = null;
const listeners = new Set<() => void>();

export const tokens = {
  get: (): string | null => accessToken,
  set(token: string | null): void {
    accessToken = token;
    for (const l of listeners) l();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
