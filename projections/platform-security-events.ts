import { defineProjection } from '../src/projections-runtime/projection.js';
import type { AddressThrottleEvent } from '../src/identity/login-abuse/address-throttle.decider.js';

/**
 * Platform-wide security alarms that belong to no single user or tenant (password spraying
 * from one client address across accounts), for operators with the sys role `security` at
 * GET /sys/security-events. Append-only, written only from the event stream.
 */
export interface PlatformSecurityEventView {
  id: string;
  type: string;
  occurred_at: string;
  position: number;
  details: Record<string, unknown>;
  [k: string]: unknown;
}

export const platformSecurityEventsProjection = defineProjection({
  name: 'platform_security_events',
  collections: [{ name: 'platform_security_events', indexes: [{ fields: ['type', 'occurred_at'] }, { fields: ['occurred_at'] }] }],
  handles: ['PasswordSprayingSuspected'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as AddressThrottleEvent;
    if (e.type !== 'PasswordSprayingSuspected') return;
    const { address, window_start, window_seconds, failures, distinct_accounts } = e.data;
    await tx.collection<PlatformSecurityEventView>('platform_security_events').upsert({
      id: event.id,
      type: 'password_spraying_suspected',
      occurred_at: event.occurred_at,
      position: event.position,
      details: { address, window_start, window_seconds, failures, distinct_accounts },
    });
  },
});
