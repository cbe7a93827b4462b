import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { decideSetPolicy, policyEvolver, policyStream, type MfaPolicy, type PolicyEvent, type PolicyState } from './policy.decider.js';

export class SetMfaPolicy {
  constructor(
    readonly tenantId: string,
    readonly policy: Partial<Record<keyof MfaPolicy, unknown>>,
    readonly by: string,
  ) {}
}

@CommandHandler(SetMfaPolicy)
export class SetMfaPolicyHandler implements ICommandHandler<SetMfaPolicy, { position: number; policy: MfaPolicy; changed: boolean }> {
  constructor(private readonly repo: AggregateRepository) {}
  async execute(cmd: SetMfaPolicy) {
    const r = await this.repo.execute<PolicyState, PolicyEvent>(policyStream(cmd.tenantId), policyEvolver, (s) =>
      decideSetPolicy(s, cmd.tenantId, cmd.policy, cmd.by),
    );
    return { position: r.position, policy: r.state.policy!, changed: r.appended };
  }
}
