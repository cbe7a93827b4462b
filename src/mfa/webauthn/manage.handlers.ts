import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { badRequest } from '../../shared/errors.js';
import {
  credentialEvolver,
  decideDelete,
  decideRename,
  normaliseName,
  webauthnStream,
  type CredentialEvent,
  type CredentialsState,
} from './credential.decider.js';
import { credentialView } from './registration.handlers.js';

export class RenameWebAuthnCredential {
  constructor(
    readonly userId: string,
    readonly credentialId: string,
    readonly name: string,
  ) {}
}
/** The caller has proven fresh MFA (StepUpService) before this is sent. */
export class DeleteWebAuthnCredential {
  constructor(
    readonly userId: string,
    readonly credentialId: string,
  ) {}
}

@CommandHandler(RenameWebAuthnCredential)
export class RenameWebAuthnCredentialHandler implements ICommandHandler<RenameWebAuthnCredential> {
  constructor(private readonly repo: AggregateRepository) {}
  async execute(cmd: RenameWebAuthnCredential) {
    const name = normaliseName(cmd.name, '');
    if (!name) throw badRequest('validation_failed', 'name must not be blank');
    const r = await this.repo.execute<CredentialsState, CredentialEvent>(webauthnStream(cmd.userId), credentialEvolver, (s) =>
      decideRename(s, cmd.credentialId, name),
    );
    return { position: r.position, credential: credentialView(r.state.credentials[cmd.credentialId]!) };
  }
}

@CommandHandler(DeleteWebAuthnCredential)
export class DeleteWebAuthnCredentialHandler implements ICommandHandler<DeleteWebAuthnCredential> {
  constructor(private readonly repo: AggregateRepository) {}
  async execute(cmd: DeleteWebAuthnCredential) {
    const r = await this.repo.execute<CredentialsState, CredentialEvent>(webauthnStream(cmd.userId), credentialEvolver, (s) =>
      decideDelete(s, cmd.credentialId),
    );
    return { position: r.position, remaining_credentials: Object.keys(r.state.credentials).length };
  }
}
