import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { normaliseEmail, userIdForEmail } from '../../identity/login/log-in.handler.js';
import { RevokeOtherSessions } from '../../identity/sessions/session.handlers.js';
import { hashPassword, passwordProblem } from '../../identity/users/password.js';
import { userEvolver, userStream, type UserEvent, type UserState } from '../../identity/users/user.decider.js';
import { IssueOtpChallenge, type IssuedChallenge } from '../../mfa/otp-challenge/otp.handlers.js';
import { WebAuthnCeremonies } from '../../mfa/webauthn/ceremony.service.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { hmacHex, sha256Hex } from '../../shared/crypto.js';
import { badRequest, DomainError, unauthorized } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';
import {
  decideUseToken,
  HOUR_MS,
  maySend,
  resetEvolver,
  resetStream,
  sendsEvolver,
  sendsStream,
  tokenProblem,
  type PasswordResetEvent,
  type ResetState,
  type SendsState,
  type TokenProblem,
} from './password-reset.decider.js';
import { ResetFactorCheck, resetCeremonyBinding, type ResetProof } from './reset-factor-check.js';

export class RequestPasswordReset {
  constructor(readonly email: string) {}
}
export class ResetPassword {
  constructor(
    readonly token: string,
    readonly newPassword: string,
    readonly mfa: ResetProof | undefined,
  ) {}
}
export class StartResetSmsChallenge {
  constructor(readonly token: string) {}
}
export class StartResetWebAuthn {
  constructor(readonly token: string) {}
}

/** The nil UUID: unknown addresses load an (empty) user stream too, so both paths do the same reads. */
const NOBODY = '00000000-0000-0000-0000-000000000000';
const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;

/**
 * The link's token is derived from its reset id with the server's HMAC key, so the mail job can
 * rebuild it from the event (which stores only its SHA-256) and no queue or log ever holds it.
 */
export function resetToken(secrets: Secrets, resetId: string): string {
  return `${resetId}.${Buffer.from(hmacHex(secrets.hmacKey, `password-reset|${resetId}`), 'hex').toString('base64url')}`;
}

const TOKEN_TEXT: Record<TokenProblem, string> = {
  invalid_reset_token: 'This password reset link is not valid.',
  reset_token_used: 'This password reset link was already used.',
  reset_token_expired: 'This password reset link has expired; ask for a new one.',
  reset_token_superseded: 'The password was changed after this link was sent; ask for a new one.',
};
const tokenError = (p: TokenProblem) => badRequest(p, TOKEN_TEXT[p]);

/** POST /auth/password/forgot: always the same answer; a link only for a known, active account within the send limit. */
@CommandHandler(RequestPasswordReset)
export class RequestPasswordResetHandler implements ICommandHandler<RequestPasswordReset, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: RequestPasswordReset) {
    const email = normaliseEmail(cmd.email);
    const addressKey = hmacHex(this.secrets.hmacKey, `password-reset-address|${email}`).slice(0, 32);
    const found = await userIdForEmail(this.events, email);
    const { state: user } = await this.repo.load(userStream(found ?? NOBODY), userEvolver);
    const userId = user.exists && user.active ? user.user_id : null;

    const now = this.clock.now().getTime();
    const hour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const previous = await this.repo.load<SendsState, PasswordResetEvent>(sendsStream(addressKey, hour - HOUR_MS), sendsEvolver);
    const resetId = randomUUID();
    // beyond the limit nothing is sent and nothing appended, and the answer is the same
    const counted = await this.repo.execute<SendsState, PasswordResetEvent>(sendsStream(addressKey, hour), sendsEvolver, (s) =>
      maySend(previous.state, s, now, this.config.passwordReset.maxPerAddressPerHour)
        ? [
            {
              type: 'PasswordResetRequested',
              data: { reset_id: resetId, address_key: addressKey, user_id: userId, at: new Date(now).toISOString() },
            },
          ]
        : [],
    );
    if (!counted.appended) return { position: 0 };
    const issued = await this.repo.execute<ResetState, PasswordResetEvent>(resetStream(resetId), resetEvolver, () => [
      {
        type: 'PasswordResetTokenIssued',
        data: {
          reset_id: resetId,
          user_id: userId,
          token_hash: sha256Hex(resetToken(this.secrets, resetId)),
          password_epoch: user.password_epoch,
          expires_at: new Date(now + this.config.passwordReset.ttlSeconds * 1000).toISOString(),
        },
      },
    ]);
    return { position: issued.position };
  }
}

/** Loads the link a token names and the person it belongs to; throws the token's problem. */
async function openToken(repo: AggregateRepository, clock: Clock, token: string) {
  const m = TOKEN.exec(token);
  if (!m) throw tokenError('invalid_reset_token');
  const resetId = m[1]!;
  const { state: reset } = await repo.load<ResetState, PasswordResetEvent>(resetStream(resetId), resetEvolver);
  const { state: user } = await repo.load(userStream(reset.user_id ?? NOBODY), userEvolver);
  const epoch = user.exists && user.active ? user.password_epoch : null;
  const problem = tokenProblem(reset, sha256Hex(token), clock.now().getTime(), epoch);
  if (problem) throw tokenError(problem);
  return { resetId, reset, user };
}

/**
 * POST /auth/password/reset. With a possession factor the reset needs a proof of it (or a recovery
 * code): without one it answers 401 mfa_required and changes nothing. Then, in this order: the link
 * is spent (single use, also under concurrency), PasswordReset, every session and refresh family
 * revoked (trusted devices follow from PasswordReset), the login counter and its lock cleared.
 */
@CommandHandler(ResetPassword)
export class ResetPasswordHandler implements ICommandHandler<ResetPassword, { position: number; revoked_sessions: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly factors: ResetFactorCheck,
    private readonly bruteForce: BruteForceService,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: ResetPassword) {
    const problem = passwordProblem(cmd.newPassword);
    if (problem) throw badRequest('weak_password', problem);
    const { resetId, user } = await openToken(this.repo, this.clock, cmd.token);
    const uid = user.user_id;
    const { possession, methods } = await this.factors.available(uid);
    let position = 0;
    if (possession) {
      if (!cmd.mfa)
        throw unauthorized('mfa_required', 'This account has a second factor: the reset needs one of them too.', {
          allowed_methods: methods,
        });
      position = await this.factors.verify(uid, resetId, cmd.mfa, methods);
    }
    const passwordHash = await hashPassword(cmd.newPassword);
    await this.repo.execute<ResetState, PasswordResetEvent>(resetStream(resetId), resetEvolver, (s) => {
      const d = decideUseToken(s, sha256Hex(cmd.token), this.clock.now().getTime(), user.password_epoch);
      if (typeof d === 'string') throw tokenError(d);
      return d;
    });
    const r = await this.repo.execute<UserState, UserEvent>(userStream(uid), userEvolver, (s) => {
      if (s.password_epoch !== user.password_epoch) throw tokenError('reset_token_superseded');
      return [{ type: 'PasswordReset', data: { user_id: uid, password_hash: passwordHash, reset_id: resetId } }];
    });
    const revoked = await this.commands.execute<RevokeOtherSessions, { position: number; count: number }>(
      new RevokeOtherSessions(uid, null, 'password_reset'),
    );
    const unlocked = await this.bruteForce.unlock('login', sha256Hex(user.email), uid, uid, 'password_reset');
    return { position: Math.max(position, r.position, revoked.position, unlocked), revoked_sessions: revoked.count };
  }
}

/** POST /auth/password/reset/sms-challenge: a login code to the enrolled phone (the usual SMS limits apply). */
@CommandHandler(StartResetSmsChallenge)
export class StartResetSmsChallengeHandler implements ICommandHandler<StartResetSmsChallenge, IssuedChallenge> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly factors: ResetFactorCheck,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: StartResetSmsChallenge) {
    const { user } = await openToken(this.repo, this.clock, cmd.token);
    if (!(await this.factors.available(user.user_id)).methods.includes('sms'))
      throw badRequest('sms_not_enrolled', 'No phone number is enrolled for SMS codes.');
    // the send limits are per user, number and tenant; a reset counts against the person's first tenant
    const auth = { user_id: user.user_id, tenant_id: user.tenant_order[0] ?? NOBODY } as AuthContext;
    return this.commands.execute<IssueOtpChallenge, IssuedChallenge>(new IssueOtpChallenge(auth, 'sms'));
  }
}

/** POST /auth/password/reset/webauthn-options: an assertion challenge bound to this reset (not to any session). */
@CommandHandler(StartResetWebAuthn)
export class StartResetWebAuthnHandler implements ICommandHandler<StartResetWebAuthn> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly factors: ResetFactorCheck,
    private readonly ceremonies: WebAuthnCeremonies,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: StartResetWebAuthn) {
    const { resetId, user } = await openToken(this.repo, this.clock, cmd.token);
    const { passkeys } = await this.factors.available(user.user_id);
    const credentials = Object.values(passkeys.credentials);
    if (credentials.length === 0) throw new DomainError('webauthn_not_enrolled', 400, 'You have no passkey registered.');
    return this.ceremonies.authenticationOptions(
      { user_id: user.user_id, session_id: resetCeremonyBinding(resetId), attempt_id: null },
      credentials,
    );
  }
}
