import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../identity/auth/decorators.js';
import type { Response } from 'express';
import { EVENT_STORE, type EventStore } from '../eventstore/event-store.port.js';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../readstore/read-store.port.js';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly projections: ProjectionEngine,
  ) {}

  /** Liveness plus store reachability and projection lag; 503 when a store is unreachable. */
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return true;
      } catch {
        return false;
      }
    };
    const [eventsOk, readsOk] = await Promise.all([check(() => this.events.headPosition()), check(() => this.reads.ping())]);
    const projections = eventsOk && readsOk ? await this.projections.status() : [];
    const ok = eventsOk && readsOk;
    res.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'unavailable',
      event_store: { kind: this.events.kind, reachable: eventsOk },
      read_store: { kind: this.reads.kind, reachable: readsOk },
      job_queue: { kind: this.queue.kind },
      // lag in events; lag_capped: at least that many (KurrentDB counts by reading, up to a cap)
      projections: projections.map(({ name, checkpoint, lag, lag_capped }) => ({
        name,
        checkpoint,
        lag,
        ...(lag_capped ? { lag_capped } : {}),
      })),
      max_lag: projections.reduce((m, p) => Math.max(m, p.lag), 0),
    };
  }
}
