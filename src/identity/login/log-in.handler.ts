import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { sha256Hex } from '../../shared/crypto.js';
import { forbidden, unauthorized } from '../../shared/errors.js';
import { BruteForceService } from '../brute-force/brute-force.service.js';
import { AddressThrottle } from '../login-abuse/address-throttle.service.js';
import { DomainError } from '../../shared/errors.js';
import { memberOf, SessionTokens, type PendingSession, type TokenPair } from '../sessions/session-tokens.service.js';
import { verifyPassword } from '../users/password.js';
import { userEvolver, userStream, type UserState } from '../users/user.decider.js';
import { TRUSTED_DEVICE_LOGIN, type TrustedDeviceLogin } from './trusted-device-login.port.js';
import { Optional } from '@nestjs/common';
import { own } from '../../shared/ids.js';

export class LogIn {
  constructor(
    readonly email: string,
    readonly password: string,
    readonly tenantId: string | undefined,
    readonly deviceToken: string | undefined,
  ) {}
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();
export const emailStream = (email: string) => `email-${sha256Hex(normaliseEmail(email))}`;

/**
 * Resolves the user id that owns an e-mail from its reservation stream (strongly consistent).
 * The stream's last event decides: EmailReserved names the owner, EmailReleased (the owner moved
 * to another address) frees it. Such a stream has a handful of events at most.
 */
export async function userIdForEmail(events: EventStore, email: string): Promise<string | null> {
  const last = (await events.readStream(emailStream(email))).at(-1);
  return last?.type === 'EmailReserved' ? (last.data.user_id as string) : null;
}

const INVALID = () => unauthorized('invalid_credentials', 'The e-mail address or password is incorrect.');

/**
 * Password login. The brute-force counter is keyed by the e-mail's hash, so an unknown
 * address behaves exactly like a known one (same answers, same backoff, same timing).
 */
@CommandHandler(LogIn)
export class LogInHandler implements ICommandHandler<LogIn, TokenPair & { position: number }> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly tokens: SessionTokens,
    private readonly addressThrottle: AddressThrottle,
    @Optional() @Inject(TRUSTED_DEVICE_LOGIN) private readonly trusted?: TrustedDeviceLogin,
  ) {}

  async execute(cmd: LogIn) {
    const email = normaliseEmail(cmd.email);
    const subject = sha256Hex(email);
    // one client address trying many accounts is throttled before any account is tried
    return this.addressThrottle.guard(subject, () => this.logIn(email, subject, cmd), isInvalid);
  }

  /**
   * The password is checked under the account's brute-force claim; a correct one records
   * AttemptSucceeded and SessionStarted in one group commit (2 commits per login, not 3).
   */
  private async logIn(email: string, subject: string, cmd: LogIn): Promise<TokenPair & { position: number }> {
    const userId = await userIdForEmail(this.events, email);
    const user = userId ? (await this.repo.load(userStream(userId), userEvolver)).state : null;
    let session: PendingSession<TokenPair & { position: number }> | undefined;
    const outcome = await this.bruteForce.attempt(
      { scope: 'login', subject, user_id: userId, factor: 'password' },
      async () => ({ ok: (await verifyPassword(user?.exists ? user.password_hash : null, cmd.password)) && !!user }),
      async () => {
        session = await this.session(user!, cmd);
        return session.command;
      },
    );
    if (!outcome.ok || !session) throw INVALID();
    return session.finish(outcome.after!);
  }

  private async session(user: UserState, cmd: LogIn): Promise<PendingSession<TokenPair & { position: number }>> {
    const tenantId = cmd.tenantId ?? user.tenant_order[0];
    if (!tenantId || !own(user.memberships, tenantId)) {
      throw forbidden('not_a_member', cmd.tenantId ? 'You are not a member of this tenant.' : 'Your account has no tenant membership.');
    }
    const trustedDevice = cmd.deviceToken && this.trusted ? await this.trusted.isTrusted(user.user_id, cmd.deviceToken, tenantId) : false;
    return this.tokens.prepareStart({
      user_id: user.user_id,
      tenant_id: tenantId,
      method: 'password',
      amr: trustedDevice ? ['pwd', 'trusted_device'] : ['pwd'],
      mfa: trustedDevice,
      mfaMethod: 'trusted_device',
      // a trusted device satisfies login-time MFA, never step-up
      stepUpFresh: false,
      // the aggregate loaded above decides deactivated and not-a-member, and gives the roles:
      // the users read model follows it, so reading that again here would only be older
      member: memberOf(user, tenantId),
    });
  }
}

const isInvalid = (err: unknown) => err instanceof DomainError && err.code === 'invalid_credentials';
