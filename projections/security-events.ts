import { defineProjection } from '../src/projections-runtime/projection.js';
import { rulesByEvent, SECURITY_EVENT_RULES } from '../src/audit/security-event-registry.js';
import { locate, parseDevice, type DeviceInfo, type Location } from '../src/shared/device.js';
import { maskDetails } from '../src/shared/mask.js';

/**
 * The append-only SecurityEvent audit (F02.07.10): one document per (domain event, rule),
 * keyed by the event id, written only from the event stream. No command and no endpoint can
 * edit or delete one; a rebuild gives the same documents.
 */
export interface SecurityEventView {
  id: string;
  user_id: string;
  tenant_id: string | null;
  type: string;
  occurred_at: string;
  position: number;
  ip: string | null;
  device: DeviceInfo;
  location: Location | null;
  details: Record<string, unknown>;
  [k: string]: unknown;
}

const rules = rulesByEvent();

export const securityEventsProjection = defineProjection({
  name: 'security_events',
  collections: [
    { name: 'security_events', indexes: [{ fields: ['user_id', 'occurred_at'] }, { fields: ['user_id', 'type', 'occurred_at'] }] },
  ],
  handles: [...new Set(SECURITY_EVENT_RULES.map((r) => r.event))],
  async apply(event, tx) {
    for (const [i, rule] of (rules.get(event.type) ?? []).entries()) {
      const type = rule.type(event.data);
      const userId = rule.userId(event.data);
      if (!type || !userId) continue;
      const ip = (event.metadata.ip as string | null | undefined) ?? null;
      await tx.collection<SecurityEventView>('security_events').upsert({
        id: i === 0 ? event.id : `${event.id}:${i}`,
        user_id: userId,
        tenant_id: (event.metadata.tenant_id as string | null | undefined) ?? null,
        type,
        occurred_at: event.occurred_at,
        position: event.position,
        ip,
        device: parseDevice(event.metadata.user_agent as string | null | undefined),
        location: await locate(ip),
        details: maskDetails(rule.details?.(event.data) ?? {}),
      });
    }
  },
});
