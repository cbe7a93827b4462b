import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { ConcurrencyError } from '../../eventstore/event-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { badRequest, conflict } from '../../shared/errors.js';
import { passwordProblem } from '../../identity/users/password.js';
import { CreateTenant } from '../../identity/tenants/tenant.handlers.js';
import { chainCodeStream, chainEvolver, chainStream, decideCreateChain, type ChainEvent, type ChainState } from './chain.decider.js';

export class CreateChain {
  constructor(
    readonly name: string,
    readonly chainCode: string,
    readonly country: string,
    readonly admin: { email: string; display_name: string; password: string | null; language: 'sv' | 'en' },
    readonly by: string | null,
  ) {}
}

export interface CreateChainResult {
  chain_id: string;
  chain_code: string;
  user_id: string;
  admin_created: boolean;
  set_password_link_sent: boolean;
  position: number;
}

/**
 * POST /admin/tenants/chain: reserves the chain code, creates the CHAIN tenant and its first admin
 * through the tenant context's own CreateTenant (same rules as POST /sys/tenants), then records
 * ChainCreated. The code is reserved first (no_stream append), so of two concurrent requests for
 * one code exactly one creates a tenant; a weak password is refused before anything is written.
 */
@CommandHandler(CreateChain)
export class CreateChainHandler implements ICommandHandler<CreateChain, CreateChainResult> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: CreateChain): Promise<CreateChainResult> {
    const problem = cmd.admin.password === null ? null : passwordProblem(cmd.admin.password);
    if (problem) throw badRequest('weak_password', `admin.password: ${problem}`);
    const chainId = randomUUID();
    try {
      await this.repo.append(
        chainCodeStream(cmd.chainCode),
        [{ type: 'ChainCodeReserved', data: { chain_code: cmd.chainCode, chain_id: chainId } }],
        'no_stream',
      );
    } catch (err) {
      if (err instanceof ConcurrencyError)
        throw conflict('chain_code_taken', `chain_code ${cmd.chainCode} is already used by another chain.`);
      throw err;
    }
    const t = await this.commands.execute(new CreateTenant(cmd.name, 'CHAIN', cmd.country, cmd.admin, cmd.by, chainId));
    const c = await this.repo.execute<ChainState, ChainEvent>(chainStream(chainId), chainEvolver, (s) =>
      decideCreateChain(s, {
        chain_id: chainId,
        chain_code: cmd.chainCode,
        name: cmd.name.trim(),
        country: cmd.country,
        by: cmd.by,
        now: this.clock.now(),
      }),
    );
    return {
      chain_id: chainId,
      chain_code: cmd.chainCode,
      user_id: t.user_id,
      admin_created: t.admin_created,
      set_password_link_sent: t.set_password_link_sent,
      position: Math.max(t.position, c.position),
    };
  }
}
