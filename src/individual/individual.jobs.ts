import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.port.js';
import { CommandGateway } from '../shared/command-gateway.js';
import { ExpireCasualMatches } from './social.handlers.js';

export const CASUAL_MATCH_EXPIRY_JOB = 'casual-match-expiry';

/** Hourly: matches nobody answered within 7 days expire (one tick across processes, like the tier jobs). */
@Injectable()
export class IndividualJobs implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly gateway: CommandGateway,
  ) {}
  async onModuleInit(): Promise<void> {
    this.queue.register(CASUAL_MATCH_EXPIRY_JOB, async () => void (await this.gateway.run(new ExpireCasualMatches(), 10_000)));
    await this.queue.repeat(CASUAL_MATCH_EXPIRY_JOB, {}, { everyMs: 3_600_000, key: CASUAL_MATCH_EXPIRY_JOB });
  }
}
