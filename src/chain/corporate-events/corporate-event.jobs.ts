import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { ExpireCorporateEventQuotes } from './corporate-event.handlers.js';

export const CORPORATE_EVENT_EXPIRY_JOB = 'chain-corporate-event-expiry';
export const CORPORATE_EVENT_EXPIRY_EVERY_MS = 15 * 60_000;

/**
 * Every 15 minutes: quotes not booked before their quote_valid_until become EXPIRED. A repeatable
 * job of the queue (BullMQ job scheduler on Redis, the embedded runner's schedule otherwise), so
 * it ticks once per interval however many app processes run; each expiry is decided on the
 * event's own stream, so a tick that overlaps a booking cannot expire a booked event.
 */
@Injectable()
export class CorporateEventJobs implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly gateway: CommandGateway,
  ) {}
  async onModuleInit(): Promise<void> {
    this.queue.register(CORPORATE_EVENT_EXPIRY_JOB, async () => void (await this.gateway.run(new ExpireCorporateEventQuotes(), 10_000)));
    await this.queue.repeat(CORPORATE_EVENT_EXPIRY_JOB, {}, { everyMs: CORPORATE_EVENT_EXPIRY_EVERY_MS, key: CORPORATE_EVENT_EXPIRY_JOB });
  }
}
