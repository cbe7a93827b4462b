import { Injectable } from '@nestjs/common';
import { CommandBus, type ICommand } from '@nestjs/cqrs';
import { ProjectionEngine } from '../projections-runtime/projection-engine.js';
import { currentContext } from './request-context.js';

/** What every command handler returns: the global position of its last append (0 if none). */
export interface CommandResult {
  position: number;
}

/**
 * Sends a command and answers only once the read models reflect it (read-your-writes).
 * After the bounded wait the request is marked pending and answered 202 by the interceptor.
 */
@Injectable()
export class CommandGateway {
  constructor(
    private readonly bus: CommandBus,
    private readonly projections: ProjectionEngine,
  ) {}

  async run<R extends CommandResult>(command: ICommand, waitMs = 5000): Promise<R> {
    const result = (await this.bus.execute(command)) as R;
    if (result?.position > 0) {
      const ok = await this.projections.waitFor(result.position, waitMs);
      const ctx = currentContext();
      if (!ok && ctx) ctx.consistency_pending = true;
    }
    return result;
  }
}
