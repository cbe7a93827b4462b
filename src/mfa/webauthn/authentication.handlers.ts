import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { SessionTokens, type MfaAnswer, type PendingSession, type TokenPair } from '../../identity/sessions/session-tokens.service.js';
import { userEvolver, userStream } from '../../identity/users/user.decider.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { badRequest, forbidden } from '../../shared/errors.js';
import { currentContext } from '../../shared/request-context.js';
import type { WebAuthnCredentialView } from '../../../projections/webauthn-credentials.js';
import { credentialIdOf, WebAuthnCeremonies } from './ceremony.service.js';
import { credentialEvolver, decideUse, webauthnStream, type CredentialEvent, type CredentialsState } from './credential.decider.js';
import { own } from '../../shared/ids.js';

export class StartWebAuthnStepUp {
  constructor(readonly auth: AuthContext) {}
}
export class FinishWebAuthnStepUp {
  constructor(
    readonly auth: AuthContext,
    readonly response: Record<string, unknown>,
  ) {}
}
export class StartPasskeyLogin {}
export class FinishPasskeyLogin {
  constructor(
    readonly attemptId: string,
    readonly response: Record<string, unknown>,
  ) {}
}

const unknownCredential = () => badRequest('webauthn_credential_unknown', 'This passkey is not registered (or was removed).');
export const hwkAmr = (uv: boolean) => ['hwk', ...(uv ? ['user'] : [])];

/** Verifies an assertion against a user's stored credential and records its use (or a counter regression). */
@Injectable()
export class AssertionVerifier {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ceremonies: WebAuthnCeremonies,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async verify(
    userId: string,
    response: Record<string, unknown>,
    challenge: string,
    purpose: 'step_up' | 'passwordless',
  ): Promise<{ uv: boolean }> {
    const credentialId = credentialIdOf(response);
    const { state } = await this.repo.load<CredentialsState, CredentialEvent>(webauthnStream(userId), credentialEvolver);
    const credential = own(state.credentials, credentialId);
    if (!credential) throw unknownCredential();
    if (purpose === 'passwordless') {
      const handle = (response.response as { userHandle?: unknown } | undefined)?.userHandle;
      if (typeof handle !== 'string' || !handle)
        throw badRequest(
          'webauthn_not_discoverable',
          'Passwordless sign-in needs a discoverable credential (a passkey) that returns its user handle.',
        );
      if (Buffer.from(handle, 'base64url').toString('utf8') !== userId) throw unknownCredential();
    }
    const info = await this.ceremonies.verifyAssertion(response, challenge, credential);
    const r = await this.repo.execute<CredentialsState, CredentialEvent>(webauthnStream(userId), credentialEvolver, (s) =>
      decideUse(s, {
        credential_id: credentialId,
        counter: info.newCounter,
        backed_up: info.credentialBackedUp,
        user_verified: info.userVerified,
        purpose,
        now: this.clock.now().toISOString(),
      }),
    );
    if (r.events.some((e) => e.type === 'WebAuthnCounterRegressionDetected')) {
      throw badRequest(
        'webauthn_counter_regression',
        'The signature counter of this passkey went backwards, which suggests a cloned authenticator. The sign-in was refused.',
      );
    }
    return { uv: info.userVerified };
  }
}

@CommandHandler(StartWebAuthnStepUp)
export class StartWebAuthnStepUpHandler implements ICommandHandler<StartWebAuthnStepUp> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ceremonies: WebAuthnCeremonies,
  ) {}

  async execute({ auth }: StartWebAuthnStepUp) {
    const { state } = await this.repo.load<CredentialsState, CredentialEvent>(webauthnStream(auth.user_id), credentialEvolver);
    const credentials = Object.values(state.credentials);
    if (credentials.length === 0) throw badRequest('webauthn_not_enrolled', 'You have no passkey registered.');
    return this.ceremonies.authenticationOptions({ user_id: auth.user_id, session_id: auth.session_id, attempt_id: null }, credentials);
  }
}

/** Step-up: a verified assertion upgrades the session (amr hwk, plus user when UV was performed). */
@CommandHandler(FinishWebAuthnStepUp)
export class FinishWebAuthnStepUpHandler implements ICommandHandler<FinishWebAuthnStepUp> {
  constructor(
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly verifier: AssertionVerifier,
    private readonly bruteForce: BruteForceService,
    private readonly tokens: SessionTokens,
  ) {}

  async execute({ auth, response }: FinishWebAuthnStepUp) {
    const uid = auth.user_id;
    let session: PendingSession<MfaAnswer> | undefined;
    const outcome = await this.bruteForce.attempt(
      { scope: 'mfa', subject: uid, user_id: uid, factor: 'webauthn' },
      async () => {
        const { challenge } = await this.ceremonies.consume(response, { purpose: 'authenticate', session_id: auth.session_id });
        return { ok: true, value: await this.verifier.verify(uid, response, challenge, 'step_up') };
      },
      // committed together with AttemptSucceeded, after the assertion (and its counter) is recorded
      (verified) => (session = this.tokens.prepareMfa(auth, 'webauthn', hwkAmr(verified!.uv))).command,
    );
    const upgraded = await session!.finish(outcome.after!);
    return { ...upgraded, position: Math.max(outcome.position, upgraded.position) };
  }
}

@CommandHandler(StartPasskeyLogin)
export class StartPasskeyLoginHandler implements ICommandHandler<StartPasskeyLogin> {
  constructor(private readonly ceremonies: WebAuthnCeremonies) {}

  async execute() {
    const attempt_id = randomUUID();
    const { options, position } = await this.ceremonies.authenticationOptions({ user_id: null, session_id: null, attempt_id }, null);
    return { attempt_id, options, position };
  }
}

/**
 * Passwordless: a discoverable credential names its user; the assertion starts a new session
 * in the user's first tenant, MFA-satisfied only when the authenticator verified the user.
 */
@CommandHandler(FinishPasskeyLogin)
export class FinishPasskeyLoginHandler implements ICommandHandler<FinishPasskeyLogin, TokenPair & { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly ceremonies: WebAuthnCeremonies,
    private readonly verifier: AssertionVerifier,
    private readonly bruteForce: BruteForceService,
    private readonly tokens: SessionTokens,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  async execute({ attemptId, response }: FinishPasskeyLogin) {
    const binding = { purpose: 'passwordless' as const, attempt_id: attemptId };
    const doc = await this.reads.collection<WebAuthnCredentialView>('webauthn_credentials').get(credentialIdOf(response));
    if (!doc || doc.status !== 'active') {
      await this.ceremonies.consume(response, binding); // the challenge is spent either way
      throw unknownCredential();
    }
    const uid = doc.user_id;
    const { state: user } = await this.repo.load(userStream(uid), userEvolver);
    const tenantId = user.tenant_order[0];
    const ctx = currentContext();
    if (ctx) {
      ctx.actor_id = uid;
      ctx.tenant_id = tenantId ?? null;
    }
    let session: PendingSession<TokenPair & { position: number }> | undefined;
    const outcome = await this.bruteForce.attempt(
      { scope: 'mfa', subject: uid, user_id: uid, factor: 'webauthn' },
      async () => {
        const { challenge } = await this.ceremonies.consume(response, binding);
        return { ok: true, value: await this.verifier.verify(uid, response, challenge, 'passwordless') };
      },
      // SessionStarted is committed together with AttemptSucceeded
      async (verified) => {
        if (!user.exists || !tenantId) throw forbidden('not_a_member', 'Your account has no tenant membership.');
        const uv = verified!.uv;
        session = await this.tokens.prepareStart({
          user_id: uid,
          tenant_id: tenantId,
          method: 'passkey',
          amr: hwkAmr(uv),
          mfa: uv,
          mfaMethod: 'webauthn',
        });
        return session.command;
      },
    );
    const started = await session!.finish(outcome.after!);
    return { ...started, position: Math.max(outcome.position, started.position) };
  }
}
