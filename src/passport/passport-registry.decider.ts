import type { DomainEvent } from '../eventstore/aggregate-repository.js';
import { DEFAULT_CHECK_IN_POINTS, DEFAULT_THRESHOLDS, type PointsThresholds } from './passport-tiers.js';

/**
 * The chain's passport numbers: one stream per chain whose only state is how many numbers were
 * given. Each creation appends PassportNumberAssigned with the expected version, so numbers are
 * 1, 2, 3… without gaps or duplicates whatever the concurrency (a conflict re-decides with the
 * next number). Snapshotted: the cost does not grow with the number of passports.
 */
export type PassportNumberEvent = DomainEvent<
  'PassportNumberAssigned',
  { chain_id: string; number: number; passport_id: string; user_id: string; assigned_at: string }
>;
export const passportNumbersStream = (chainId: string) => `passport-numbers-${chainId}`;
export const passportNumbersEvolver = {
  snapshot: { schema: 1 },
  initialState: () => ({ assigned: 0 }),
  evolve: (_s: { assigned: number }, e: PassportNumberEvent) => ({ assigned: e.data.number }),
};

/** Per-chain passport settings: points-tier thresholds and the points a check-in earns. */
export interface PassportSettings extends PointsThresholds {
  check_in_points: number;
}
export const DEFAULT_SETTINGS: PassportSettings = { ...DEFAULT_THRESHOLDS, check_in_points: DEFAULT_CHECK_IN_POINTS };
export type PassportSettingsEvent = DomainEvent<
  'PassportSettingsChanged',
  PassportSettings & { chain_id: string; changed_by: string; changed_at: string }
>;
export const passportSettingsStream = (chainId: string) => `passport-settings-${chainId}`;
export const passportSettingsEvolver = {
  initialState: (): PassportSettings => ({ ...DEFAULT_SETTINGS }),
  evolve: (_s: PassportSettings, e: PassportSettingsEvent): PassportSettings => ({
    gold_points: e.data.gold_points,
    platinum_points: e.data.platinum_points,
    check_in_points: e.data.check_in_points,
  }),
};
