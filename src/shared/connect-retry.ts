import { logger } from './logger.js';

/**
 * Runs a store's first round trip until it succeeds, while `transient(err)` says the server is
 * only not reachable yet (a container still starting): the app waits for its stores instead of
 * exiting. Any other error (bad credentials, a malformed URL) is thrown at once. Gives up after
 * `attempts` tries, the delay doubling up to `maxDelayMs` (about 3 minutes with the defaults).
 */
export async function retryFirstConnection<T>(
  what: string,
  attempt: () => Promise<T>,
  transient: (err: unknown) => boolean,
  options: { attempts?: number; firstDelayMs?: number; maxDelayMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 40;
  let delay = options.firstDelayMs ?? 250;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!transient(err) || i >= attempts) throw err;
      logger.warn({ err: String((err as Error)?.message ?? err), attempt: i }, `${what} not reachable yet; retrying`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}
