import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { ConcurrencyError } from '../eventstore/event-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { KeyedMutex } from '../shared/async-mutex.js';
import { conflict } from '../shared/errors.js';
import {
  decideAdminUpdate,
  decideClaim,
  decideCreate,
  decideUpdateProfile,
  decideVisit,
  passportEvolver,
  passportIdFor,
  passportStream,
  recentScan,
  type LastScan,
  type PassportEvent,
  type PassportState,
  type VisitData,
  type VisitKind,
} from './passport.decider.js';
import {
  passportNumbersEvolver,
  passportNumbersStream,
  passportSettingsEvolver,
  passportSettingsStream,
  type PassportNumberEvent,
  type PassportSettings,
  type PassportSettingsEvent,
} from './passport-registry.decider.js';
import type { PointsTier } from './passport-tiers.js';

export class CreatePassport {
  constructor(
    readonly chainId: string,
    readonly chainCode: string,
    readonly userId: string,
    readonly displayName: string,
  ) {}
}
export class UpdatePassport {
  constructor(
    readonly chainId: string,
    readonly userId: string,
    readonly change: {
      display_name?: string;
      override?: { tier: PointsTier | null; reason: string; until: string | null };
      ban?: { banned: boolean; reason: string | null };
    },
    readonly by: string,
  ) {}
}
export class RecordVisit {
  constructor(
    readonly chainId: string,
    readonly userId: string,
    readonly venueId: string,
    readonly kind: VisitKind,
    /** Awarded points (award-points); a check-in earns the chain's check_in_points. */
    readonly points: number | null,
    readonly reason: string | null,
    readonly by: string,
  ) {}
}
export class SetPassportSettings {
  constructor(
    readonly chainId: string,
    readonly settings: PassportSettings,
    readonly by: string,
  ) {}
}

export async function loadSettings(repo: AggregateRepository, chainId: string): Promise<PassportSettings> {
  return (await repo.load(passportSettingsStream(chainId), passportSettingsEvolver)).state;
}

/** Numbers are assigned one at a time per chain in this process (other processes: the expected version). */
const numbering = new KeyedMutex();

/**
 * POST /chain/passports. Three appends: claim the (chain, user) stream (no second passport: 409
 * passport_exists), take the chain's next number (gapless: expected version on the numbers stream),
 * then PassportCreated on the claimed stream. The claim comes first, so a refused duplicate never
 * takes a number; a creation that died after its claim can be taken over after a minute.
 */
@CommandHandler(CreatePassport)
export class CreatePassportHandler implements ICommandHandler<CreatePassport, { position: number; passport_id: string; number: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: CreatePassport) {
    const stream = passportStream(cmd.chainId, cmd.userId);
    try {
      await this.repo.execute<PassportState, PassportEvent>(
        stream,
        passportEvolver,
        (s) => decideClaim(s, { chain_id: cmd.chainId, user_id: cmd.userId, now: this.clock.now() }),
        { retryOnConflict: false },
      );
    } catch (err) {
      if (err instanceof ConcurrencyError) throw conflict('passport_exists', 'You already have a passport in this chain.');
      throw err;
    }
    const assigned = await numbering.run(cmd.chainId, () =>
      this.repo.execute<{ assigned: number }, PassportNumberEvent>(
        passportNumbersStream(cmd.chainId),
        passportNumbersEvolver,
        (s) => {
          const number = s.assigned + 1;
          return [
            {
              type: 'PassportNumberAssigned',
              data: {
                chain_id: cmd.chainId,
                number,
                passport_id: passportIdFor(cmd.chainCode, number),
                user_id: cmd.userId,
                assigned_at: this.clock.now().toISOString(),
              },
            },
          ];
        },
        { maxAttempts: 200 },
      ),
    );
    const { number, passport_id } = assigned.events[0]!.data as unknown as PassportNumberEvent['data'];
    const r = await this.repo.execute<PassportState, PassportEvent>(
      stream,
      passportEvolver,
      (s) => decideCreate(s, { passport_id, number, display_name: cmd.displayName, now: this.clock.now() }),
      { retryOnConflict: false },
    );
    return { position: r.position, passport_id, number };
  }
}

@CommandHandler(UpdatePassport)
export class UpdatePassportHandler implements ICommandHandler<UpdatePassport, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: UpdatePassport) {
    const r = await this.repo.execute<PassportState, PassportEvent>(passportStream(cmd.chainId, cmd.userId), passportEvolver, (s) => {
      const now = this.clock.now();
      const out: PassportEvent[] = [];
      if (cmd.change.display_name !== undefined) out.push(...decideUpdateProfile(s, { display_name: cmd.change.display_name, now }));
      if (cmd.change.override || cmd.change.ban)
        out.push(...decideAdminUpdate(s, { override: cmd.change.override, ban: cmd.change.ban, by: cmd.by, now }));
      return out;
    });
    return { position: r.position };
  }
}

export interface RecordVisitResult {
  position: number;
  visit: Pick<VisitData, 'visit_id' | 'venue_id' | 'kind' | 'points_earned' | 'visited_at'>;
  /** True when this was a second scan within 10 minutes: no new visit. */
  duplicate: boolean;
}

@CommandHandler(RecordVisit)
export class RecordVisitHandler implements ICommandHandler<RecordVisit, RecordVisitResult> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: RecordVisit): Promise<RecordVisitResult> {
    const settings = await loadSettings(this.repo, cmd.chainId);
    let dup: LastScan | null = null;
    const r = await this.repo.execute<PassportState, PassportEvent>(passportStream(cmd.chainId, cmd.userId), passportEvolver, (s) => {
      const now = this.clock.now();
      const out = decideVisit(s, {
        visit_id: randomUUID(),
        venue_id: cmd.venueId,
        kind: cmd.kind,
        points: cmd.points ?? settings.check_in_points,
        reason: cmd.reason,
        thresholds: settings,
        by: cmd.by,
        now,
      });
      dup = out.length === 0 ? recentScan(s, cmd.venueId, now) : null;
      return out;
    });
    const first = dup as LastScan | null;
    if (first)
      return {
        position: 0,
        visit: { visit_id: first.visit_id, venue_id: cmd.venueId, kind: 'check_in', points_earned: first.points, visited_at: first.at },
        duplicate: true,
      };
    const v = r.events[0]!.data as unknown as VisitData;
    return {
      position: r.position,
      visit: { visit_id: v.visit_id, venue_id: v.venue_id, kind: v.kind, points_earned: v.points_earned, visited_at: v.visited_at },
      duplicate: false,
    };
  }
}

@CommandHandler(SetPassportSettings)
export class SetPassportSettingsHandler implements ICommandHandler<SetPassportSettings, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: SetPassportSettings) {
    const r = await this.repo.execute<PassportSettings, PassportSettingsEvent>(
      passportSettingsStream(cmd.chainId),
      passportSettingsEvolver,
      () => [
        {
          type: 'PassportSettingsChanged',
          data: { chain_id: cmd.chainId, ...cmd.settings, changed_by: cmd.by, changed_at: this.clock.now().toISOString() },
        },
      ],
    );
    return { position: r.position };
  }
}
