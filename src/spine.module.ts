import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { AggregateRepository } from './eventstore/aggregate-repository.js';
import { createSealingEventStore } from './privacy/create-sealing-event-store.js';
import { EVENT_STORE, type EventStore } from './eventstore/event-store.port.js';
import { ProjectionEngine } from './projections-runtime/projection-engine.js';
import { PROJECTIONS, type ProjectionDefinition } from './projections-runtime/projection.js';
import { ReactorEngine } from './projections-runtime/reactor-engine.js';
import { ReactorRegistry } from './projections-runtime/reactor-registry.js';
import { createJobQueue } from './queue/create-job-queue.js';
import { JOB_QUEUE, type JobQueue } from './queue/job-queue.port.js';
import { createReadStore } from './readstore/create-read-store.js';
import { READ_STORE, type ReadStore } from './readstore/read-store.port.js';
import { CLOCK, type Clock } from './shared/clock.js';
import { CommandGateway } from './shared/command-gateway.js';
import { logger } from './shared/logger.js';
import { HealthController } from './health/health.controller.js';
import { Secrets } from './shared/secrets.js';
import { IpRateLimiter } from './shared/ip-rate-limiter.js';

export const SPINE_OPTIONS = Symbol('SPINE_OPTIONS');

/** Starts the engines once every module has registered its reactors and job handlers. */
@Injectable()
export class SpineLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  reactorEngine: ReactorEngine | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly projections: ProjectionEngine,
    private readonly reactors: ReactorRegistry,
    @Inject(SPINE_OPTIONS) private readonly options: { runWorkers: boolean },
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projections.start();
    // The CLI boots the app to run commands but never runs side effects (reactors, jobs).
    if (!this.options.runWorkers) return;
    this.reactorEngine = new ReactorEngine(this.events, this.reads, this.reactors.reactors, (name, err) =>
      logger.error({ err, reactor: name }, 'reactor failed; will retry'),
    );
    await this.reactorEngine.start();
    await this.queue.start();
  }

  /**
   * Tests and graceful shutdown: every projection and reactor has seen the head, their coalesced
   * checkpoints are written, and the queue is idle.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const head = await this.events.headPosition();
    await this.projections.waitFor(head, timeoutMs);
    await this.reactorEngine?.waitFor(head, timeoutMs);
    await this.projections.flushCheckpoints();
    await this.reactorEngine?.flushCheckpoints();
    await this.queue.drain(timeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reactorEngine?.stop();
    await this.projections.stop();
    await this.queue.close();
    await this.reads.close();
    await this.events.close();
  }
}

export interface SpineOptions {
  /** False for the CLI: projections run, reactors and the job queue do not. Default true. */
  runWorkers?: boolean;
  config: AppConfig;
  clock: Clock;
  projections: readonly ProjectionDefinition[];
}

@Global()
@Module({})
export class SpineModule {
  static forRoot(options: SpineOptions): DynamicModule {
    return {
      module: SpineModule,
      imports: [CqrsModule.forRoot()],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: SPINE_OPTIONS, useValue: { runWorkers: options.runWorkers ?? true } },
        { provide: CLOCK, useValue: options.clock },
        { provide: PROJECTIONS, useValue: options.projections },
        // personal fields are sealed per person on the way into the log and opened on the way out (src/privacy)
        {
          provide: EVENT_STORE,
          inject: [Secrets],
          useFactory: (secrets: Secrets) => createSealingEventStore(options.config, options.clock, secrets),
        },
        { provide: READ_STORE, useFactory: () => createReadStore(options.config) },
        {
          provide: JOB_QUEUE,
          useFactory: () =>
            createJobQueue({
              redisUrl: options.config.redisUrl,
              dataDir: options.config.dataDir,
              prefix: options.config.redisPrefix ?? undefined,
            }),
        },
        {
          provide: ProjectionEngine,
          inject: [EVENT_STORE, READ_STORE, PROJECTIONS],
          useFactory: (es: EventStore, rs: ReadStore, defs: ProjectionDefinition[]) =>
            new ProjectionEngine(es, rs, defs, { onError: (err) => logger.error({ err }, 'projection failed; will retry') }),
        },
        { provide: Secrets, useFactory: () => new Secrets(options.config) },
        ReactorRegistry,
        AggregateRepository,
        CommandGateway,
        SpineLifecycle,
        IpRateLimiter,
      ],
      exports: [
        APP_CONFIG,
        CLOCK,
        EVENT_STORE,
        READ_STORE,
        JOB_QUEUE,
        ProjectionEngine,
        ReactorRegistry,
        AggregateRepository,
        CommandGateway,
        SpineLifecycle,
        Secrets,
        IpRateLimiter,
        CqrsModule,
      ],
    };
  }
}
