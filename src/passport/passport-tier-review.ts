import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PassportView } from '../../projections/chain-passports.js';
import type { VisitTierDoc } from '../../projections/chain-passport-visit-tiers.js';
import { AggregateRepository } from '../eventstore/aggregate-repository.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.port.js';
import { READ_STORE, type ReadStore, type Where } from '../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../shared/clock.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { decideTimeTiers, passportEvolver, passportStream, type PassportEvent, type PassportState } from './passport.decider.js';
import { utcDay } from './passport-tiers.js';
import { scanAll } from '../readstore/scan.js';

export const PASSPORT_TIER_REVIEW_JOB = 'passport-tier-review';
export const PASSPORT_TIER_REVIEW_EVERY_MS = 15 * 60_000;

export class ReviewPassportTiers {}

/**
 * Tier drops by time alone: the passports whose override has ended (chain_passports.override_until
 * <= now) or whose visit tier the window no longer supports (chain_passport_visit_tiers.tier_drops_on
 * <= today) are found by indexed range scans; each passport's own stream decides (decideTimeTiers),
 * so a passport already in step, a check-in that won the race or a second run appends nothing.
 */
@CommandHandler(ReviewPassportTiers)
export class ReviewPassportTiersHandler implements ICommandHandler<ReviewPassportTiers, { position: number; changed: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute() {
    const now = this.clock.now();
    const seen = new Set<string>();
    let position = 0;
    let changed = 0;
    const review = async (chainId: string, userId: string) => {
      const stream = passportStream(chainId, userId);
      if (seen.has(stream)) return;
      seen.add(stream);
      const r = await this.repo.execute<PassportState, PassportEvent>(stream, passportEvolver, (s) => decideTimeTiers(s, now));
      if (r.appended) changed++;
      position = Math.max(position, r.position);
    };
    const scan = async <T extends { id: string; chain_id: string; user_id: string; [k: string]: unknown }>(
      name: string,
      field: string,
      upTo: string,
    ) => {
      const due = scanAll(this.reads.collection<T>(name), { where: { [field]: { lte: upTo } } as Where, sort: [[field, 'asc']] });
      for await (const d of due) await review(d.chain_id, d.user_id);
    };
    await scan<PassportView>('chain_passports', 'override_until', now.toISOString());
    await scan<VisitTierDoc>('chain_passport_visit_tiers', 'tier_drops_on', utcDay(now));
    return { position, changed };
  }
}

/**
 * Every 15 minutes, a repeatable job of the queue (a BullMQ job scheduler on Redis, the embedded
 * runner's schedule otherwise): it ticks once per interval however many app processes run.
 */
@Injectable()
export class PassportTierReviewJob implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly gateway: CommandGateway,
  ) {}
  async onModuleInit(): Promise<void> {
    this.queue.register(PASSPORT_TIER_REVIEW_JOB, async () => void (await this.gateway.run(new ReviewPassportTiers(), 10_000)));
    await this.queue.repeat(PASSPORT_TIER_REVIEW_JOB, {}, { everyMs: PASSPORT_TIER_REVIEW_EVERY_MS, key: PASSPORT_TIER_REVIEW_JOB });
  }
}
