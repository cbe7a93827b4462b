import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Per-request facts that every appended event records in its metadata (who, from where,
 * correlation), carried without threading them through every call.
 */
export interface RequestContext {
  correlation_id: string;
  ip: string | null;
  user_agent: string | null;
  actor_id?: string | null;
  tenant_id?: string | null;
  /** Set when a command's read models were not ready within the bounded wait (answer 202). */
  consistency_pending?: boolean;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return requestContext.getStore();
}
