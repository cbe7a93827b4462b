import { defineProjection } from '../src/projections-runtime/projection.js';
import { isPassportVisit, overrideOf, PASSPORT_VIEW_EVENTS, type PassportEvent } from '../src/passport/passport.decider.js';
import type { PointsTier, VisitTier } from '../src/passport/passport-tiers.js';

/**
 * Chain passports (F02.09.07): one document per passport (id = passport id), what GET
 * /chain/passports/{id}, /me and the admin search read. `name_key` is the display name in lower
 * case for the prefix search (index chain_id + name_key); `visit_tier` is the tier the last visit
 * decided (the live view of the rolling window is chain_passport_visit_tiers); `override_until` is
 * the end of the override while one is set (index: the scheduled tier review's range scan).
 */
export interface PassportView {
  id: string;
  passport_id: string;
  number: number;
  chain_id: string;
  user_id: string;
  display_name: string;
  name_key: string;
  status: 'ACTIVE' | 'BANNED';
  ban_reason: string | null;
  total_points: number;
  total_games: number;
  points_tier: PointsTier;
  tier_override: { tier: PointsTier; reason: string; until: string | null } | null;
  /** The override's end while one is set (the scheduled tier review finds expired ones by it). */
  override_until: string | null;
  visit_tier: VisitTier | null;
  created_at: string;
  last_visit_at: string | null;
  last_position: number;
  [k: string]: unknown;
}

export const nameKey = (name: string) => name.normalize('NFC').toLowerCase();

export const chainPassportsProjection = defineProjection({
  name: 'chain_passports',
  collections: [
    {
      name: 'chain_passports',
      indexes: [
        { fields: ['chain_id', 'user_id'] },
        { fields: ['chain_id', 'name_key'] },
        { fields: ['chain_id', 'number'] },
        { fields: ['override_until'] },
      ],
    },
  ],
  handles: PASSPORT_VIEW_EVENTS,
  async apply(event, tx) {
    if (event.type === 'VisitRecorded' && !isPassportVisit(event.data)) return;
    const e = { type: event.type, data: event.data } as unknown as PassportEvent;
    const docs = tx.collection<PassportView>('chain_passports');
    if (e.type === 'PassportCreated') {
      if (await docs.get(e.data.passport_id)) return;
      await docs.upsert({
        id: e.data.passport_id,
        passport_id: e.data.passport_id,
        number: e.data.number,
        chain_id: e.data.chain_id,
        user_id: e.data.user_id,
        display_name: e.data.display_name,
        name_key: nameKey(e.data.display_name),
        status: 'ACTIVE',
        ban_reason: null,
        total_points: 0,
        total_games: 0,
        points_tier: 'REGULAR',
        tier_override: null,
        override_until: null,
        visit_tier: null,
        created_at: e.data.created_at,
        last_visit_at: null,
        last_position: event.position,
      });
      return;
    }
    if (e.type === 'PassportClaimed') return;
    const doc = await docs.get(e.data.passport_id);
    // guard by position: an event applied twice changes nothing
    if (!doc || doc.last_position >= event.position) return;
    const set: Partial<PassportView> = { last_position: event.position };
    switch (e.type) {
      case 'PassportProfileUpdated':
        Object.assign(set, { display_name: e.data.display_name, name_key: nameKey(e.data.display_name) });
        break;
      case 'PassportTierOverridden':
        set.tier_override = overrideOf(e.data);
        set.override_until = set.tier_override?.until ?? null;
        break;
      case 'PassportBanned':
        Object.assign(set, { status: 'BANNED', ban_reason: e.data.reason });
        break;
      case 'PassportUnbanned':
        Object.assign(set, { status: 'ACTIVE', ban_reason: null });
        break;
      case 'VisitRecorded':
        Object.assign(set, { total_points: e.data.total_points, total_games: e.data.total_games, last_visit_at: e.data.visited_at });
        break;
      case 'PassportTierChanged':
        if (e.data.ladder === 'visits') set.visit_tier = e.data.to as VisitTier | null;
        else if (e.data.cause === 'points') set.points_tier = e.data.to as PointsTier;
        break;
    }
    await docs.patch(doc.id, { set });
  },
});
