import type { DomainEvent } from '../eventstore/aggregate-repository.js';
import { conflict, forbidden, notFound } from '../shared/errors.js';
import {
  effectiveTier,
  higherTier,
  pointsTierFor,
  pruneDays,
  utcDay,
  visitTierFor,
  type PointsThresholds,
  type PointsTier,
  type TierOverride,
  type VisitTier,
} from './passport-tiers.js';

/**
 * A chain passport (F02.09.07): one stream per chain and player (`passport-{chain}-{user}`), so
 * "one passport per chain and user" is the stream's existence. The stream grows with every visit;
 * its state is bounded (check-ins per day of the last 365 days, the last scan per venue of the last
 * 10 minutes) and snapshotted, so a check-in costs the same at visit 10 as at visit 10,000.
 *
 * `display_name` is the player's name on the passport (shown on leaderboards): it is a personal
 * field of PassportCreated and PassportProfileUpdated.
 */
export type PassportEvent =
  | DomainEvent<'PassportClaimed', { chain_id: string; user_id: string; claimed_at: string }>
  | DomainEvent<
      'PassportCreated',
      { passport_id: string; number: number; chain_id: string; user_id: string; display_name: string; created_at: string }
    >
  | DomainEvent<
      'PassportProfileUpdated',
      { passport_id: string; chain_id: string; user_id: string; display_name: string; updated_at: string }
    >
  | DomainEvent<
      'PassportTierOverridden',
      {
        passport_id: string;
        chain_id: string;
        user_id: string;
        /** null clears the override. */
        tier_override: PointsTier | null;
        reason: string;
        until: string | null;
        by: string;
        at: string;
      }
    >
  | DomainEvent<'PassportBanned', { passport_id: string; chain_id: string; user_id: string; reason: string; by: string; at: string }>
  | DomainEvent<'PassportUnbanned', { passport_id: string; chain_id: string; user_id: string; by: string; at: string }>
  | DomainEvent<'VisitRecorded', VisitData>
  | DomainEvent<
      'PassportTierChanged',
      {
        passport_id: string;
        chain_id: string;
        user_id: string;
        /** Which ladder moved: the points tier (REGULAR/GOLD/PLATINUM, as shown) or the visit tier. */
        ladder: 'points' | 'visits';
        from: string | null;
        to: string | null;
        cause: 'points' | 'visits' | 'override';
        at: string;
      }
    >;

/** The events after the claim: what the passport's read models follow. */
export const PASSPORT_VIEW_EVENTS = [
  'PassportCreated',
  'PassportProfileUpdated',
  'PassportTierOverridden',
  'PassportBanned',
  'PassportUnbanned',
  'VisitRecorded',
  'PassportTierChanged',
] as const;

type OverrideData = Extract<PassportEvent, { type: 'PassportTierOverridden' }>['data'];
/** The override an event sets (null: cleared). */
export const overrideOf = (d: OverrideData): TierOverride | null =>
  d.tier_override ? { tier: d.tier_override, reason: d.reason, until: d.until } : null;

export type VisitKind = 'check_in' | 'points';
export interface VisitData {
  visit_id: string;
  passport_id: string;
  chain_id: string;
  user_id: string;
  venue_id: string;
  kind: VisitKind;
  points_earned: number;
  reason: string | null;
  visited_at: string;
  recorded_by: string;
  /** The passport's totals after this visit. */
  total_games: number;
  total_points: number;
}

/**
 * Whether a VisitRecorded is a passport visit: the type name is the design card's, and other
 * writers (fixtures, benchmarks, older tools) have used it with other shapes; the passport's read
 * models skip those instead of failing on them.
 */
export const isPassportVisit = (d: Record<string, unknown>): boolean =>
  typeof d.passport_id === 'string' &&
  typeof d.chain_id === 'string' &&
  typeof d.visit_id === 'string' &&
  !Number.isNaN(Date.parse(String(d.visited_at)));

export interface PassportState {
  claimed_at: string | null;
  passport_id: string | null;
  number: number;
  chain_id: string | null;
  user_id: string | null;
  display_name: string;
  created_at: string | null;
  banned: boolean;
  ban_reason: string | null;
  total_games: number;
  total_points: number;
  /** The highest points tier reached (kept when thresholds rise). */
  points_tier: PointsTier;
  override: TierOverride | null;
  /** Check-ins per UTC day within the window of the last check-in. */
  visit_days: Record<string, number>;
  visit_tier: VisitTier | null;
  /** The last check-in per venue of the last 10 minutes (the idempotency window). */
  last_scans: Record<string, LastScan>;
}

export interface LastScan {
  at: string;
  visit_id: string;
  points: number;
}

export const SCAN_DEDUP_MS = 10 * 60_000;
export const passportStream = (chainId: string, userId: string) => `passport-${chainId}-${userId}`;
export const passportIdFor = (chainCode: string, n: number) => `${chainCode}-PASS-${String(n).padStart(6, '0')}`;
/** A passport id as printed: CODE-PASS-NNNNNN (the number may outgrow six digits). */
export const PASSPORT_ID = /^[A-Z]{3,8}-PASS-\d{6,9}$/;

const recentScans = (scans: PassportState['last_scans'], at: string) =>
  Object.fromEntries(Object.entries(scans).filter(([, s]) => new Date(at).getTime() - new Date(s.at).getTime() < SCAN_DEDUP_MS));

export const passportEvolver = {
  snapshot: { schema: 1 },
  initialState: (): PassportState => ({
    claimed_at: null,
    passport_id: null,
    number: 0,
    chain_id: null,
    user_id: null,
    display_name: '',
    created_at: null,
    banned: false,
    ban_reason: null,
    total_games: 0,
    total_points: 0,
    points_tier: 'REGULAR',
    override: null,
    visit_days: {},
    visit_tier: null,
    last_scans: {},
  }),
  evolve(s: PassportState, e: PassportEvent): PassportState {
    switch (e.type) {
      case 'PassportClaimed':
        return { ...s, claimed_at: e.data.claimed_at, chain_id: e.data.chain_id, user_id: e.data.user_id };
      case 'PassportCreated':
        return {
          ...s,
          passport_id: e.data.passport_id,
          number: e.data.number,
          display_name: e.data.display_name,
          created_at: e.data.created_at,
        };
      case 'PassportProfileUpdated':
        return { ...s, display_name: e.data.display_name };
      case 'PassportTierOverridden':
        return { ...s, override: overrideOf(e.data) };
      case 'PassportBanned':
        return { ...s, banned: true, ban_reason: e.data.reason };
      case 'PassportUnbanned':
        return { ...s, banned: false, ban_reason: null };
      case 'VisitRecorded': {
        const d = e.data;
        const day = utcDay(d.visited_at);
        const scans = recentScans(s.last_scans, d.visited_at);
        if (d.kind !== 'check_in') return { ...s, total_points: d.total_points, total_games: d.total_games, last_scans: scans };
        const days = pruneDays(s.visit_days, day);
        days[day] = (days[day] ?? 0) + 1;
        return {
          ...s,
          total_points: d.total_points,
          total_games: d.total_games,
          visit_days: days,
          last_scans: { ...scans, [d.venue_id]: { at: d.visited_at, visit_id: d.visit_id, points: d.points_earned } },
        };
      }
      case 'PassportTierChanged':
        if (e.data.ladder === 'visits') return { ...s, visit_tier: e.data.to as VisitTier | null };
        return e.data.cause === 'points' ? { ...s, points_tier: e.data.to as PointsTier } : s;
      default: {
        const never: never = e;
        return never;
      }
    }
  },
};

/** A claim older than this without a passport is a creation that died half-way: it may be taken over. */
export const STALE_CLAIM_MS = 60_000;

/** Step 1 of creation: claim the (chain, user) stream. A second passport is 409 passport_exists. */
export function decideClaim(s: PassportState, cmd: { chain_id: string; user_id: string; now: Date }): PassportEvent[] {
  if (s.passport_id || (s.claimed_at && cmd.now.getTime() - new Date(s.claimed_at).getTime() < STALE_CLAIM_MS))
    throw conflict('passport_exists', 'You already have a passport in this chain.', s.passport_id ? { passport_id: s.passport_id } : {});
  return [{ type: 'PassportClaimed', data: { chain_id: cmd.chain_id, user_id: cmd.user_id, claimed_at: cmd.now.toISOString() } }];
}

/** Step 3: the numbered passport on the claimed stream. */
export function decideCreate(
  s: PassportState,
  cmd: { passport_id: string; number: number; display_name: string; now: Date },
): PassportEvent[] {
  if (s.passport_id) throw conflict('passport_exists', 'You already have a passport in this chain.', { passport_id: s.passport_id });
  return [
    {
      type: 'PassportCreated',
      data: {
        passport_id: cmd.passport_id,
        number: cmd.number,
        chain_id: s.chain_id!,
        user_id: s.user_id!,
        display_name: cmd.display_name,
        created_at: cmd.now.toISOString(),
      },
    },
  ];
}

/** The ids every later event carries; a stream without PassportCreated (a claim only) is no passport yet. */
function ids(s: PassportState) {
  if (!s.passport_id) throw notFound('passport_not_found', 'No such passport.');
  return { passport_id: s.passport_id, chain_id: s.chain_id!, user_id: s.user_id! };
}

export function decideUpdateProfile(s: PassportState, cmd: { display_name: string; now: Date }): PassportEvent[] {
  const id = ids(s);
  if (cmd.display_name === s.display_name) return [];
  return [{ type: 'PassportProfileUpdated', data: { ...id, display_name: cmd.display_name, updated_at: cmd.now.toISOString() } }];
}

/** A chain admin's change: tier override (set or cleared) and/or ban. */
export function decideAdminUpdate(
  s: PassportState,
  cmd: {
    override?: { tier: PointsTier | null; reason: string; until: string | null };
    ban?: { banned: boolean; reason: string | null };
    by: string;
    now: Date;
  },
): PassportEvent[] {
  ids(s);
  const at = cmd.now.toISOString();
  const out: PassportEvent[] = [];
  if (cmd.override) {
    const o = cmd.override;
    if (o.until && new Date(o.until).getTime() <= cmd.now.getTime())
      throw conflict('override_until_in_past', 'tier_override_until must be in the future.');
    const before = effectiveTier(s.points_tier, s.override, cmd.now);
    const next = o.tier ? { tier: o.tier, reason: o.reason, until: o.until } : null;
    const after = effectiveTier(s.points_tier, next, cmd.now);
    out.push({
      type: 'PassportTierOverridden',
      data: { ...ids(s), tier_override: o.tier, reason: o.reason, until: o.until, by: cmd.by, at },
    });
    if (before !== after)
      out.push({ type: 'PassportTierChanged', data: { ...ids(s), ladder: 'points', from: before, to: after, cause: 'override', at } });
  }
  if (cmd.ban) {
    if (cmd.ban.banned && !s.banned)
      out.push({ type: 'PassportBanned', data: { ...ids(s), reason: cmd.ban.reason ?? '', by: cmd.by, at } });
    if (!cmd.ban.banned && s.banned) out.push({ type: 'PassportUnbanned', data: { ...ids(s), by: cmd.by, at } });
  }
  return out;
}

/** Who appends the tier changes time alone causes (the scheduled review). */
export const TIER_REVIEW_BY = 'system:passport-tier-review';

/**
 * Tier changes by time alone (the scheduled review): an override whose `until` has passed is
 * cleared (PassportTierOverridden with no tier, by the system) with the tier change it causes, and a
 * visit tier the rolling window no longer supports falls. Nothing when the state is in step, so a
 * second run appends nothing.
 */
export function decideTimeTiers(s: PassportState, now: Date): PassportEvent[] {
  if (!s.passport_id) return [];
  const at = now.toISOString();
  const out: PassportEvent[] = [];
  const o = s.override;
  if (o && o.until !== null && new Date(o.until).getTime() <= now.getTime()) {
    out.push({
      type: 'PassportTierOverridden',
      data: { ...ids(s), tier_override: null, reason: `override until ${o.until} expired`, until: null, by: TIER_REVIEW_BY, at },
    });
    if (o.tier !== s.points_tier)
      out.push({
        type: 'PassportTierChanged',
        data: { ...ids(s), ladder: 'points', from: o.tier, to: s.points_tier, cause: 'override', at },
      });
  }
  const vt = visitTierFor(Object.values(pruneDays(s.visit_days, utcDay(at))).reduce((a, b) => a + b, 0));
  if (vt !== s.visit_tier)
    out.push({ type: 'PassportTierChanged', data: { ...ids(s), ladder: 'visits', from: s.visit_tier, to: vt, cause: 'visits', at } });
  return out;
}

/** The last check-in at this venue within 10 minutes of `now`, if any (a second scan is that visit). */
export function recentScan(s: PassportState, venueId: string, now: Date): LastScan | null {
  const scan = Object.hasOwn(s.last_scans, venueId) ? s.last_scans[venueId]! : null;
  return scan && now.getTime() - new Date(scan.at).getTime() < SCAN_DEDUP_MS ? scan : null;
}

/**
 * A visit: a QR check-in (one game, the chain's check-in points) or points awarded by staff. A
 * banned passport is refused; a second check-in at the same venue within 10 minutes appends
 * nothing (the handler answers with the first visit). Tier moves are events of their own.
 */
export function decideVisit(
  s: PassportState,
  cmd: {
    visit_id: string;
    venue_id: string;
    kind: VisitKind;
    points: number;
    reason: string | null;
    thresholds: PointsThresholds;
    by: string;
    now: Date;
  },
): PassportEvent[] {
  ids(s);
  if (s.banned) throw forbidden('passport_banned', 'This passport is banned in the chain.');
  if (cmd.kind === 'check_in' && recentScan(s, cmd.venue_id, cmd.now)) return [];
  const at = cmd.now.toISOString();
  const total_games = s.total_games + (cmd.kind === 'check_in' ? 1 : 0);
  const total_points = s.total_points + cmd.points;
  const visit: PassportEvent = {
    type: 'VisitRecorded',
    data: {
      visit_id: cmd.visit_id,
      ...ids(s),
      venue_id: cmd.venue_id,
      kind: cmd.kind,
      points_earned: cmd.points,
      reason: cmd.reason,
      visited_at: at,
      recorded_by: cmd.by,
      total_games,
      total_points,
    },
  };
  const out: PassportEvent[] = [visit];
  const after = passportEvolver.evolve(s, visit);
  const reached = higherTier(s.points_tier, pointsTierFor(total_points, cmd.thresholds));
  if (reached !== s.points_tier)
    out.push({ type: 'PassportTierChanged', data: { ...ids(s), ladder: 'points', from: s.points_tier, to: reached, cause: 'points', at } });
  if (cmd.kind === 'check_in') {
    const count = Object.values(pruneDays(after.visit_days, utcDay(at))).reduce((a, b) => a + b, 0);
    const vt = visitTierFor(count);
    if (vt !== s.visit_tier)
      out.push({ type: 'PassportTierChanged', data: { ...ids(s), ladder: 'visits', from: s.visit_tier, to: vt, cause: 'visits', at } });
  }
  return out;
}
