import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { conflict, notFound } from '../../shared/errors.js';
import type { UserView } from '../../../projections/users.js';
import type { WebAuthnCredentialView } from '../../../projections/webauthn-credentials.js';
import { WebAuthnCeremonies } from './ceremony.service.js';
import {
  credentialEvolver,
  decideRegister,
  normaliseName,
  webauthnStream,
  type CredentialEvent,
  type CredentialsState,
  type StoredCredential,
} from './credential.decider.js';

export class StartWebAuthnRegistration {
  constructor(readonly auth: AuthContext) {}
}
export class FinishWebAuthnRegistration {
  constructor(
    readonly auth: AuthContext,
    readonly response: Record<string, unknown>,
    readonly name: string | undefined,
  ) {}
}

/** A public view of a credential (no public key). */
export const credentialView = (c: StoredCredential | WebAuthnCredentialView) => ({
  id: c.id,
  name: c.name,
  transports: c.transports,
  aaguid: c.aaguid,
  backed_up: c.backed_up,
  device_type: c.device_type,
  counter: c.counter,
  created_at: c.created_at,
  last_used_at: c.last_used_at,
});

/**
 * Registration options for the logged-in user. Binding a factor needs the factors you have:
 * once the account has any possession factor, a fresh second-factor verification.
 */
@CommandHandler(StartWebAuthnRegistration)
export class StartWebAuthnRegistrationHandler implements ICommandHandler<
  StartWebAuthnRegistration,
  { options: PublicKeyCredentialCreationOptionsJSON; position: number }
> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  async execute({ auth }: StartWebAuthnRegistration) {
    const user = await this.reads.collection<UserView>('users').get(auth.user_id);
    if (!user) throw notFound('user_not_found', 'No such user.');
    await this.stepUp.assertMayBindFactor(auth);
    const { state } = await this.repo.load<CredentialsState, CredentialEvent>(webauthnStream(auth.user_id), credentialEvolver);
    return this.ceremonies.registrationOptions(
      { id: user.id, email: user.email, display_name: user.display_name },
      auth.session_id,
      Object.values(state.credentials),
    );
  }
}

@CommandHandler(FinishWebAuthnRegistration)
export class FinishWebAuthnRegistrationHandler implements ICommandHandler<
  FinishWebAuthnRegistration,
  { position: number; credential: ReturnType<typeof credentialView> }
> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly bruteForce: BruteForceService,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ auth, response, name }: FinishWebAuthnRegistration) {
    const uid = auth.user_id;
    // checked again at the end: another factor may have been bound since the options were issued
    await this.stepUp.assertMayBindFactor(auth);
    const outcome = await this.bruteForce.attempt({ scope: 'mfa', subject: uid, user_id: uid, factor: 'webauthn' }, async () => {
      const { challenge } = await this.ceremonies.consume(response, { purpose: 'register', session_id: auth.session_id });
      return { ok: true, value: await this.ceremonies.verifyRegistration(response, challenge) };
    });
    const info = outcome.value!;
    const id = info.credential.id;
    const elsewhere = await this.reads.collection<WebAuthnCredentialView>('webauthn_credentials').get(id);
    if (elsewhere && elsewhere.status === 'active' && elsewhere.user_id !== uid)
      throw conflict('webauthn_credential_exists', 'This authenticator is already registered to another account.');

    const now = this.clock.now().toISOString();
    const r = await this.repo.execute<CredentialsState, CredentialEvent>(webauthnStream(uid), credentialEvolver, (s) => {
      const credential: StoredCredential = {
        id,
        public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: (info.credential.transports ?? []).map(String),
        aaguid: info.aaguid,
        backed_up: info.credentialBackedUp,
        device_type: info.credentialDeviceType,
        name: normaliseName(name, `Passkey ${Object.keys(s.credentials).length + 1}`),
        created_at: now,
        last_used_at: null,
      };
      return decideRegister(s, uid, credential, { user_verified: info.userVerified, fmt: info.fmt });
    });
    return { position: Math.max(outcome.position, r.position), credential: credentialView(r.state.credentials[id]!) };
  }
}
