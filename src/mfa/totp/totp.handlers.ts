import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import QRCode from 'qrcode';
import { AggregateRepository, type Command } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { SessionTokens, type MfaAnswer, type PendingSession } from '../../identity/sessions/session-tokens.service.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { open, seal } from '../../shared/crypto.js';
import { badRequest, conflict, DomainError, notFound } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';
import type { UserView } from '../../../projections/users.js';
import { matchTotp, newTotpSecret, otpauthUri, TOTP_DEFAULTS } from './totp.core.js';
import {
  decideConfirm,
  decideDisable,
  decideStartEnrollment,
  decideVerify,
  totpEvolver,
  totpStream,
  type ConfirmDecision,
  type StepMatcher,
  type TotpEvent,
  type TotpSeed,
  type TotpState,
  type VerifyDecision,
} from './totp.decider.js';

export class StartTotpEnrollment {
  constructor(readonly auth: AuthContext) {}
}
export class ConfirmTotpEnrollment {
  constructor(
    readonly auth: AuthContext,
    readonly code: string,
  ) {}
}
export class VerifyTotp {
  constructor(
    readonly auth: AuthContext,
    readonly code: string,
  ) {}
}
export class DisableTotp {
  constructor(readonly auth: AuthContext) {}
}

export type MfaTokenAnswer = MfaAnswer;

const invalidCode = () => badRequest('invalid_code', 'The code is not valid.');

/** Seed (de)sealing and code matching, shared by the handlers. */
abstract class TotpHandlerBase {
  constructor(
    protected readonly repo: AggregateRepository,
    protected readonly secrets: Secrets,
    protected readonly clock: Clock,
  ) {}

  protected matcher(userId: string, code: string): StepMatcher {
    const clean = code.replace(/\s/g, '');
    const now = this.clock.now().getTime();
    return (seed: TotpSeed) => {
      if (seed.secret.kid !== this.secrets.encryptionKeyId)
        throw new DomainError('totp_key_unavailable', 503, 'The key protecting this factor is not available.');
      return matchTotp(open(this.secrets.encryptionKey, seed.secret, userId), clean, now, seed.params);
    };
  }

  protected load(userId: string) {
    return this.repo.load<TotpState, TotpEvent>(totpStream(userId), totpEvolver);
  }
}

@CommandHandler(StartTotpEnrollment)
export class StartTotpEnrollmentHandler extends TotpHandlerBase implements ICommandHandler<StartTotpEnrollment> {
  constructor(
    repo: AggregateRepository,
    secrets: Secrets,
    @Inject(CLOCK) clock: Clock,
    private readonly stepUp: StepUpService,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {
    super(repo, secrets, clock);
  }

  async execute({ auth }: StartTotpEnrollment) {
    const user = await this.reads.collection<UserView>('users').get(auth.user_id);
    if (!user) throw notFound('user_not_found', 'No such user.');
    const secret = newTotpSecret();
    const seed: TotpSeed = {
      secret: seal(this.secrets.encryptionKey, this.secrets.encryptionKeyId, secret, auth.user_id),
      params: TOTP_DEFAULTS,
    };
    // binding a factor needs the factors you have (any type, not only an active authenticator)
    await this.stepUp.assertMayBindFactor(auth);
    const r = await this.repo.execute<TotpState, TotpEvent>(totpStream(auth.user_id), totpEvolver, (s) =>
      decideStartEnrollment(s, auth.user_id, seed),
    );
    const otpauth_uri = otpauthUri(secret, user.email);
    const qr_svg = await QRCode.toString(otpauth_uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
    return { position: r.position, secret, otpauth_uri, qr_svg };
  }
}

/** Confirm and verify: a code is tried under the user's MFA brute-force counter, then decided on the stream. */
abstract class TotpCodeHandler extends TotpHandlerBase {
  constructor(
    repo: AggregateRepository,
    secrets: Secrets,
    clock: Clock,
    protected readonly bruteForce: BruteForceService,
    protected readonly tokens: SessionTokens,
  ) {
    super(repo, secrets, clock);
  }

  /**
   * Decides with the code and appends the decision's events, with the counter's outcome and (on
   * success) the session's, in one atomic commit; re-decided on a version conflict, so a
   * concurrent use of the same step reads as a replay. Counts as a success only for `accepted`.
   */
  protected async tryCode<D extends { kind: string } | { kind: string; events: TotpEvent[] }, A = never>(
    uid: string,
    decide: (s: TotpState) => D,
    accepted: D['kind'],
    initial: D,
    onAccepted?: PendingSession<A>,
  ): Promise<{ decision: D; position: number; answer?: A }> {
    let d = initial;
    const spend: Command<TotpState, TotpEvent> = {
      stream: totpStream(uid),
      evolver: totpEvolver,
      decide: (s) => {
        d = decide(s);
        return 'events' in d ? d.events : [];
      },
    };
    const outcome = await this.bruteForce.attemptInstant(
      { scope: 'mfa', subject: uid, user_id: uid, factor: 'totp' },
      { commands: [spend], outcome: () => ({ ok: d.kind === accepted }) },
      onAccepted?.command,
    );
    const answer = outcome.after && (await onAccepted!.finish(outcome.after));
    return { decision: d, position: outcome.position, answer };
  }
}

/** What confirming a new factor answers: it is bound, and the session is exactly as MFA-satisfied as before. */
export interface FactorConfirmed {
  enrolled: true;
  method: 'totp' | 'sms';
  confirmed_at: string | null;
  position: number;
}

@CommandHandler(ConfirmTotpEnrollment)
export class ConfirmTotpEnrollmentHandler extends TotpCodeHandler implements ICommandHandler<ConfirmTotpEnrollment> {
  constructor(
    repo: AggregateRepository,
    secrets: Secrets,
    @Inject(CLOCK) clock: Clock,
    bruteForce: BruteForceService,
    tokens: SessionTokens,
    private readonly stepUp: StepUpService,
  ) {
    super(repo, secrets, clock, bruteForce, tokens);
  }

  /**
   * Proves possession of the new authenticator. It never upgrades the session (amr, mfa_at):
   * otherwise a password alone plus a factor of the attacker's would be MFA.
   */
  async execute({ auth, code }: ConfirmTotpEnrollment): Promise<FactorConfirmed> {
    const uid = auth.user_id;
    if (!(await this.load(uid)).state.pending)
      throw conflict('no_pending_enrollment', 'Start an enrolment (POST /auth/mfa/totp/enroll) before confirming it.');
    // checked again here: another factor may have been bound since the enrolment started
    await this.stepUp.assertMayBindFactor(auth);
    const { decision: d, position } = await this.tryCode<ConfirmDecision>(
      uid,
      (s) => decideConfirm(s, uid, this.matcher(uid, code)),
      'confirmed',
      { kind: 'no_pending' },
    );
    if (d.kind !== 'confirmed') throw invalidCode();
    return { enrolled: true, method: 'totp', confirmed_at: this.clock.now().toISOString(), position };
  }
}

@CommandHandler(VerifyTotp)
export class VerifyTotpHandler extends TotpCodeHandler implements ICommandHandler<VerifyTotp> {
  constructor(
    repo: AggregateRepository,
    secrets: Secrets,
    @Inject(CLOCK) clock: Clock,
    bruteForce: BruteForceService,
    tokens: SessionTokens,
  ) {
    super(repo, secrets, clock, bruteForce, tokens);
  }

  async execute({ auth, code }: VerifyTotp): Promise<MfaTokenAnswer> {
    const uid = auth.user_id;
    if (!(await this.load(uid)).state.active) throw badRequest('totp_not_enrolled', 'No authenticator app is enrolled for this account.');
    const { decision, answer } = await this.tryCode<VerifyDecision, MfaAnswer>(
      uid,
      (s) => decideVerify(s, uid, this.matcher(uid, code)),
      'accepted',
      { kind: 'not_enrolled' },
      this.tokens.prepareMfa(auth, 'totp', ['otp']),
    );
    if (decision.kind === 'replay')
      throw badRequest('code_already_used', 'This code was already used; wait for the next code of your authenticator app.');
    if (decision.kind !== 'accepted' || !answer) throw invalidCode();
    return answer;
  }
}

@CommandHandler(DisableTotp)
export class DisableTotpHandler implements ICommandHandler<DisableTotp> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly stepUp: StepUpService,
  ) {}

  async execute({ auth }: DisableTotp) {
    const { state } = await this.repo.load<TotpState, TotpEvent>(totpStream(auth.user_id), totpEvolver);
    if (!state.active && !state.pending) throw notFound('totp_not_enrolled', 'No authenticator app is enrolled for this account.');
    await this.stepUp.assertMayBindFactor(auth);
    const r = await this.repo.execute<TotpState, TotpEvent>(totpStream(auth.user_id), totpEvolver, (s) => {
      const events = decideDisable(s, auth.user_id);
      if (!events) throw notFound('totp_not_enrolled', 'No authenticator app is enrolled for this account.');
      return events;
    });
    return { position: r.position };
  }
}
