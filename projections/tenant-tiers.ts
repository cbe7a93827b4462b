import { defineProjection } from '../src/projections-runtime/projection.js';
import type { TenantEvent } from '../src/identity/tenants/tenant.decider.js';
import type { Addon, TierEvent } from '../src/tenant-tier/tier.decider.js';

/**
 * Tier snapshots (F02.10.03/.06): one document per tenant with its current type and its
 * active add-ons (at most one per subsystem, so the document stays small), and every add-on
 * ever granted in `tenant_tier_addons` (the expiry job finds due ones by index). `version`
 * grows by one per applied event; it is the snapshot's ETag and the cache's compare-and-set key.
 */
export interface TierSnapshotDoc {
  id: string;
  tenant_id: string;
  name: string;
  /** Lower-cased name: prefix search of GET /sys/tenants?q=. */
  name_lc: string;
  country: string | null;
  tenant_type: string;
  addons: Array<Omit<Addon, 'status'>>;
  version: number;
  last_position: number;
  created_at: string;
  updated_at: string;
  [k: string]: unknown;
}
export interface AddonView extends Addon {
  id: string;
  tenant_id: string;
  ended_at: string | null;
  ended_by: string | null;
  [k: string]: unknown;
}

export const tenantTiersProjection = defineProjection({
  name: 'tenant_tiers',
  collections: [
    { name: 'tenant_tiers', indexes: [{ fields: ['created_at'] }, { fields: ['tenant_type', 'created_at'] }, { fields: ['name_lc'] }] },
    { name: 'tenant_tier_addons', indexes: [{ fields: ['status', 'expires_at'] }, { fields: ['tenant_id', 'granted_at'] }] },
  ],
  handles: ['TenantCreated', 'AddonGranted', 'AddonRevoked', 'AddonExpired', 'TenantTypeChanged'],
  async apply(event, tx) {
    const e = { type: event.type, data: event.data } as unknown as TenantEvent | TierEvent;
    const tiers = tx.collection<TierSnapshotDoc>('tenant_tiers');
    const addons = tx.collection<AddonView>('tenant_tier_addons');
    if (e.type === 'TenantCreated') {
      if (await tiers.get(e.data.tenant_id)) return;
      await tiers.upsert({
        id: e.data.tenant_id,
        tenant_id: e.data.tenant_id,
        name: e.data.name,
        name_lc: e.data.name.toLowerCase(),
        country: e.data.country ?? null,
        tenant_type: e.data.tenant_type,
        addons: [],
        version: 1,
        last_position: event.position,
        created_at: event.occurred_at,
        updated_at: event.occurred_at,
      });
      return;
    }
    const doc = await tiers.get(e.data.tenant_id);
    // guard by position: applying an event twice (crash between write and checkpoint) changes nothing
    if (!doc || doc.last_position >= event.position) return;
    const next = { ...doc, version: doc.version + 1, last_position: event.position, updated_at: event.occurred_at };
    switch (e.type) {
      case 'AddonGranted': {
        const { tenant_id, ...addon } = e.data;
        next.addons = [...doc.addons.filter((a) => a.subsystem_id !== addon.subsystem_id), addon];
        await addons.upsert({ id: addon.addon_id, tenant_id, ...addon, status: 'active', ended_at: null, ended_by: null });
        break;
      }
      case 'AddonRevoked':
      case 'AddonExpired': {
        next.addons = doc.addons.filter((a) => a.addon_id !== e.data.addon_id);
        const ended = e.type === 'AddonRevoked' ? { at: e.data.revoked_at, by: e.data.revoked_by } : { at: e.data.expired_at, by: null };
        await addons.patch(e.data.addon_id, {
          set: { status: e.type === 'AddonRevoked' ? 'revoked' : 'expired', ended_at: ended.at, ended_by: ended.by },
        });
        break;
      }
      case 'TenantTypeChanged':
        next.tenant_type = e.data.tenant_type;
        break;
    }
    await tiers.upsert(next);
  },
});
