/**
 * A tiny test-only aggregate that exercises the spine end to end: a command handler that
 * decides and appends, a projection, a read-your-writes endpoint, and a 409 path.
 */
import { Body, Controller, Get, Inject, Module, Param, Post } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConcurrencyError } from '../../src/eventstore/event-store.port.js';
import { AggregateRepository, type DomainEvent } from '../../src/eventstore/aggregate-repository.js';
import { defineProjection } from '../../src/projections-runtime/projection.js';
import { READ_STORE, type ReadStore } from '../../src/readstore/read-store.port.js';
import { CommandGateway, type CommandResult } from '../../src/shared/command-gateway.js';
import { badRequest, notFound } from '../../src/shared/errors.js';
import { Public } from '../../src/identity/auth/decorators.js';

type CounterEvent = DomainEvent<'CounterIncremented', { counter_id: string; by: number }>;
interface CounterState {
  total: number;
}
const evolver = {
  initialState: (): CounterState => ({ total: 0 }),
  evolve: (s: CounterState, e: CounterEvent): CounterState => ({ total: s.total + e.data.by }),
};

export class IncrementCounter {
  constructor(
    readonly counterId: string,
    readonly by: number,
    readonly expectedVersion?: number,
  ) {}
}

@CommandHandler(IncrementCounter)
export class IncrementCounterHandler implements ICommandHandler<IncrementCounter, CommandResult> {
  constructor(private readonly repo: AggregateRepository) {}
  async execute(cmd: IncrementCounter): Promise<CommandResult> {
    const result = await this.repo.execute(
      `counter-${cmd.counterId}`,
      evolver,
      (state, version) => {
        if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== version) {
          // the client decided on stale data: not safe to re-decide, so it leaves as 409
          throw new ConcurrencyError(`counter-${cmd.counterId}`, cmd.expectedVersion, version);
        }
        if (state.total + cmd.by > 1000) throw badRequest('counter_limit', 'A counter cannot exceed 1000.');
        return [{ type: 'CounterIncremented' as const, data: { counter_id: cmd.counterId, by: cmd.by } }];
      },
      { retryOnConflict: cmd.expectedVersion === undefined },
    );
    return { position: result.position };
  }
}

export class IncrementDto {
  @IsInt()
  @Min(1)
  @Max(100)
  by!: number;

  @IsOptional()
  @IsInt()
  expected_version?: number;
}

export const countersProjection = defineProjection({
  name: 'test_counters',
  collections: [{ name: 'test_counters' }],
  handles: ['CounterIncremented'],
  async apply(event, tx) {
    const data = event.data as { counter_id: string; by: number };
    await tx.collection('test_counters').patch(data.counter_id, { inc: { total: data.by, increments: 1 } }, { upsert: true });
  },
});

@Public()
@Controller('test/counters')
export class CounterController {
  constructor(
    private readonly gateway: CommandGateway,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  @Post(':id/increment')
  async increment(@Param('id') id: string, @Body() dto: IncrementDto) {
    await this.gateway.run(new IncrementCounter(id, dto.by, dto.expected_version));
    return this.get(id);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const doc = await this.reads.collection('test_counters').get(id);
    if (!doc) throw notFound('counter_not_found', 'No such counter.');
    return doc;
  }
}

@Module({ controllers: [CounterController], providers: [IncrementCounterHandler] })
export class CounterTestModule {}
