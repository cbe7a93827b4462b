import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { sha256Hex } from '../../shared/crypto.js';
import { badRequest, conflict } from '../../shared/errors.js';
import { own } from '../../shared/ids.js';
import { Secrets } from '../../shared/secrets.js';
import type { InvitationView } from '../../../projections/invitations.js';
import { normaliseEmail, userIdForEmail } from '../login/log-in.handler.js';
import {
  decideGrantMembership,
  normaliseRoles,
  userEvolver,
  userStream,
  type Language,
  type UserEvent,
  type UserState,
} from '../users/user.decider.js';
import { registerAccount } from '../users/user.handlers.js';
import { hashPassword, passwordProblem } from '../users/password.js';
import { invitationToken, tokenId } from './invitation-tokens.js';
import { IssuePasswordSetLink } from '../users/password-link.js';
import {
  decideAccept,
  decideExpire,
  decideInvite,
  invalidInvitation,
  invitationEvolver,
  invitationStream,
  type AcceptDecision,
  type InvitationEvent,
  type InvitationState,
} from './invitation.decider.js';

export class InviteMember {
  constructor(
    readonly tenantId: string,
    readonly invitedBy: string,
    readonly email: string,
    readonly displayName: string,
    readonly roles: string[],
    /** Admin-set password for a new account; without one a new account gets a set-password link. */
    readonly password: string | undefined,
    readonly language: Language,
  ) {}
}
export class AcceptInvitation {
  constructor(
    readonly token: string,
    readonly userId: string,
    readonly sessionId: string,
  ) {}
}
export class ExpireInvitations {}

const memberExists = () => conflict('member_exists', 'This person is already a member of the tenant; change roles with PATCH.');

/**
 * POST /tenants/{id}/members. Answers the same `{ invitation_id }` whether or not the address
 * has an account: the password (if any) is checked and hashed before the address is looked up,
 * so both paths do the same expensive work. A new address gets its account and membership at
 * once; an existing person gets an invitation e-mail and becomes a member only by accepting.
 */
@CommandHandler(InviteMember)
export class InviteMemberHandler implements ICommandHandler<InviteMember, { invitation_id: string; position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: InviteMember) {
    if (cmd.password !== undefined) {
      const problem = passwordProblem(cmd.password);
      if (problem) throw badRequest('weak_password', problem);
    }
    const passwordHash = cmd.password !== undefined ? await hashPassword(cmd.password) : '';
    const email = normaliseEmail(cmd.email);
    const roles = normaliseRoles(cmd.roles);
    const invitationId = randomUUID();
    const now = this.clock.now().getTime();

    let userId = await userIdForEmail(this.events, email);
    let created = false;
    if (!userId) {
      const account = await registerAccount(this.repo, this.events, {
        email,
        displayName: cmd.displayName,
        language: cmd.language,
        passwordHash,
      });
      userId = account.user_id;
      created = account.created;
    }
    const uid = userId;
    // an existing member is refused (the admin sees members anyway); nobody is added without consent
    // an existing member is refused (the admin sees members anyway); nobody is added without consent
    const member = await this.repo.execute<UserState, UserEvent>(userStream(uid), userEvolver, (s) => {
      if (!created) {
        if (own(s.memberships, cmd.tenantId)) throw memberExists();
        return [];
      }
      return decideGrantMembership(s, cmd.tenantId, roles);
    });
    // a new account without an admin-set password chooses one through the e-mailed single-use link
    const link = created && !passwordHash ? await this.commands.execute(new IssuePasswordSetLink(uid)) : { position: 0 };
    const inv = await this.repo.execute<InvitationState, InvitationEvent>(invitationStream(invitationId), invitationEvolver, (s) =>
      decideInvite(s, {
        invitation_id: invitationId,
        tenant_id: cmd.tenantId,
        user_id: uid,
        roles,
        invited_by: cmd.invitedBy,
        token_hash: sha256Hex(invitationToken(this.secrets.hmacKey, invitationId)),
        needs_acceptance: !created,
        now,
      }),
    );
    return { invitation_id: invitationId, position: Math.max(member.position, inv.position, link.position) };
  }
}

/**
 * POST /invitations/accept from the invitee's own session: the invitation is claimed first
 * (single use, optimistic concurrency), then the membership is granted. Accepted again, it
 * answers 409 invitation_used, unless a crash cut the grant off, which it then finishes.
 */
@CommandHandler(AcceptInvitation)
export class AcceptInvitationHandler implements ICommandHandler<
  AcceptInvitation,
  { tenant_id: string; roles: string[]; position: number }
> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: AcceptInvitation) {
    const id = tokenId(cmd.token);
    if (!id) throw invalidInvitation();
    let decision: AcceptDecision = { events: [] };
    const inv = await this.repo.execute<InvitationState, InvitationEvent>(invitationStream(id), invitationEvolver, (s) => {
      decision = decideAccept(s, {
        token_hash: sha256Hex(cmd.token),
        user_id: cmd.userId,
        session_id: cmd.sessionId,
        now: this.clock.now().getTime(),
      });
      return decision.events;
    });
    if ((decision as AcceptDecision).error) throw (decision as AcceptDecision).error;
    const { tenant_id, roles } = inv.state;
    const already = (decision as AcceptDecision).already === true;
    const m = await this.repo.execute<UserState, UserEvent>(userStream(cmd.userId), userEvolver, (s) => {
      const current = own(s.memberships, tenant_id);
      if (current && already) throw conflict('invitation_used', 'This invitation was already accepted.');
      if (current && current.join() !== roles.join()) throw memberExists();
      return decideGrantMembership(s, tenant_id, roles); // [] when a concurrent accept of this invitation granted it
    });
    return { tenant_id, roles, position: Math.max(inv.position, m.position) };
  }
}

/** The expiry sweep (a scheduled job, and callable): every pending invitation past its 7 days becomes InvitationExpired. */
@CommandHandler(ExpireInvitations)
export class ExpireInvitationsHandler implements ICommandHandler<ExpireInvitations, { expired: number; position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute() {
    const now = this.clock.now();
    const due = await this.reads
      .collection<InvitationView>('invitations')
      .find({ where: { status: 'pending', expires_at: { lte: now.toISOString() } }, sort: [['expires_at', 'asc']], limit: 500 });
    let expired = 0;
    let position = 0;
    for (const d of due.items) {
      const r = await this.repo.execute<InvitationState, InvitationEvent>(invitationStream(d.id), invitationEvolver, (s) =>
        decideExpire(s, now.getTime()),
      );
      if (r.appended) expired++;
      position = Math.max(position, r.position);
    }
    return { expired, position };
  }
}
