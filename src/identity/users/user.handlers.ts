import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { ConcurrencyError, EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { badRequest, DomainError, notFound, unauthorized } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/crypto.js';
import { BruteForceService } from '../brute-force/brute-force.service.js';
import { normaliseEmail, userIdForEmail } from '../login/log-in.handler.js';
import { reserveEmail } from './email-reservation.js';
import { otherTenantAdmins } from '../members/tenant-admins.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { RevokeOtherSessions } from '../sessions/session.handlers.js';
import { hashPassword, passwordProblem, verifyPassword } from './password.js';
import {
  decideChangeRoles,
  decideGrantMembership,
  normaliseRoles,
  userEvolver,
  userStream,
  type Language,
  type UserEvent,
  type UserState,
} from './user.decider.js';

export class AddMember {
  constructor(
    readonly tenantId: string,
    readonly email: string,
    readonly displayName: string,
    readonly roles: string[],
    /**
     * null: the new user has no password yet (set through a set-password link); `{ hash }`: an
     * argon2id hash checked and made earlier (signup). Ignored for an existing user.
     */
    readonly password: string | null | { hash: string },
    readonly language: Language,
    readonly sysRoles: string[] = [],
    /**
     * Set when an operator (not the person) adds the member, e.g. POST /sys/tenants: an account
     * that already exists is then told by a security event and e-mail that it was given the roles.
     */
    readonly operator?: { by: string | null },
  ) {}
}
export class ChangeMemberRoles {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    readonly roles: string[],
  ) {}
}
export class ChangePassword {
  constructor(
    readonly userId: string,
    readonly sessionId: string,
    readonly currentPassword: string,
    readonly newPassword: string,
    readonly revokeOtherSessions: boolean,
  ) {}
}

/**
 * Creates the user if the e-mail is new (uniqueness through a reservation stream per
 * normalised e-mail, appended with no_stream: two concurrent sign-ups cannot both win) and
 * grants the membership. An existing user keeps their password and profile.
 */
@CommandHandler(AddMember)
export class AddMemberHandler implements ICommandHandler<AddMember, { user_id: string; created: boolean; position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  async execute(cmd: AddMember) {
    const email = normaliseEmail(cmd.email);
    let uid = await userIdForEmail(this.events, email);
    let created = false;
    if (!uid) {
      const problem = typeof cmd.password === 'string' ? passwordProblem(cmd.password) : null;
      if (problem) throw badRequest('weak_password', problem);
      const account = await registerAccount(this.repo, this.events, {
        email,
        displayName: cmd.displayName,
        language: cmd.language,
        // an empty hash never verifies (verifyPassword treats it as "no password": dummy hash, false)
        passwordHash: cmd.password === null ? '' : typeof cmd.password === 'string' ? await hashPassword(cmd.password) : cmd.password.hash,
      });
      uid = account.user_id;
      created = account.created;
    }
    const userId = uid;
    const r = await this.repo.execute<UserState, UserEvent>(userStream(userId), userEvolver, (s) => [
      ...decideGrantMembership(s, cmd.tenantId, cmd.roles, created ? undefined : cmd.operator),
      ...(cmd.sysRoles.some((r) => !s.sys_roles.includes(r))
        ? [{ type: 'SysRolesGranted' as const, data: { user_id: userId, sys_roles: cmd.sysRoles } }]
        : []),
    ]);
    return { user_id: userId, created, position: Math.max(r.position, await this.events.headPosition()) };
  }
}

/**
 * Creates the account for a normalised e-mail unless it exists: uniqueness through the
 * reservation stream per e-mail (reserveEmail), so two concurrent sign-ups cannot both win (the loser gets the winner's id, created: false). An empty password hash means the
 * account has no password yet (set through a set-password link).
 */
export async function registerAccount(
  repo: AggregateRepository,
  events: EventStore,
  a: { email: string; displayName: string; language: Language; passwordHash: string },
): Promise<{ user_id: string; created: boolean }> {
  const candidate = randomUUID();
  try {
    // a free address, or one its owner moved away from (EmailReleased); another owner: email_taken
    await reserveEmail(repo, a.email, candidate);
  } catch (err) {
    if (!(err instanceof ConcurrencyError) && !(err instanceof DomainError && err.code === 'email_taken')) throw err;
    return { user_id: (await userIdForEmail(events, a.email))!, created: false }; // someone registered it first
  }
  await repo.execute<UserState, UserEvent>(userStream(candidate), userEvolver, () => [
    {
      type: 'UserRegistered',
      data: { user_id: candidate, email: a.email, display_name: a.displayName.trim(), language: a.language, password_hash: a.passwordHash },
    },
  ]);
  return { user_id: candidate, created: true };
}

@CommandHandler(ChangeMemberRoles)
export class ChangeMemberRolesHandler implements ICommandHandler<ChangeMemberRoles, { position: number; roles: string[] }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}
  async execute(cmd: ChangeMemberRoles) {
    const otherAdmins = await otherTenantAdmins(this.reads, cmd.tenantId, cmd.userId);
    const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) =>
      decideChangeRoles(s, cmd.tenantId, cmd.roles, otherAdmins),
    );
    return { position: r.position, roles: normaliseRoles(cmd.roles) };
  }
}

/** Password change under the login brute-force counter; other sessions can be revoked at once. */
@CommandHandler(ChangePassword)
export class ChangePasswordHandler implements ICommandHandler<ChangePassword, { position: number; revoked_sessions: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly commands: CommandBus,
  ) {}

  async execute(cmd: ChangePassword) {
    const { state } = await this.repo.load(userStream(cmd.userId), userEvolver);
    if (!state.exists) throw notFound('user_not_found', 'No such user.');
    const problem = passwordProblem(cmd.newPassword);
    if (problem) throw badRequest('weak_password', problem);
    const outcome = await this.bruteForce.attempt(
      { scope: 'login', subject: sha256Hex(state.email), user_id: cmd.userId, factor: 'password' },
      async () => ({ ok: await verifyPassword(state.password_hash, cmd.currentPassword) }),
    );
    if (!outcome.ok) throw unauthorized('invalid_credentials', 'The current password is incorrect.');
    const newHash = await hashPassword(cmd.newPassword);
    const r = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, () => [
      { type: 'PasswordChanged', data: { user_id: cmd.userId, password_hash: newHash } },
    ]);
    let revoked = 0;
    let position = r.position;
    if (cmd.revokeOtherSessions) {
      const res = await this.commands.execute(new RevokeOtherSessions(cmd.userId, cmd.sessionId, 'password_change'));
      revoked = res.count;
      position = Math.max(position, res.position);
    }
    return { position, revoked_sessions: revoked };
  }
}
