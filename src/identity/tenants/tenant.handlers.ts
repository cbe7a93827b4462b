import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { AddMember } from '../users/user.handlers.js';
import { SYS_ROLE_NAMES } from '../users/user.decider.js';
import { normaliseEmail, userIdForEmail } from '../login/log-in.handler.js';
import { randomUUID } from 'node:crypto';
import { badRequest } from '../../shared/errors.js';
import { passwordProblem } from '../users/password.js';
import { IssuePasswordSetLink } from '../users/password-link.js';
import { decideCreateTenant, tenantEvolver, tenantStream, type TenantEvent, type TenantState, type TenantType } from './tenant.decider.js';

export class BootstrapTenant {
  constructor(
    readonly tenantName: string,
    readonly tenantType: TenantType,
    readonly adminEmail: string,
    readonly adminPassword: string,
  ) {}
}

/** Deterministic ids make bootstrap idempotent: the same admin e-mail always yields the same tenant. */
const bootstrapTenantId = (email: string) => {
  const h = createHash('sha256')
    .update(`bootstrap|${normaliseEmail(email)}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * Creates the first tenant and its tenant_admin, who is also a platform operator with every
 * sys role. Running it again with the same e-mail changes nothing and returns the same ids.
 */
@CommandHandler(BootstrapTenant)
export class BootstrapTenantHandler implements ICommandHandler<BootstrapTenant, { tenant_id: string; user_id: string; position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  async execute(cmd: BootstrapTenant) {
    const tenantId = bootstrapTenantId(cmd.adminEmail);
    const t = await this.repo.execute<TenantState, TenantEvent>(tenantStream(tenantId), tenantEvolver, (s) =>
      s.exists ? [] : decideCreateTenant(s, { tenant_id: tenantId, name: cmd.tenantName.trim(), tenant_type: cmd.tenantType, by: null }),
    );
    const existing = await userIdForEmail(this.events, cmd.adminEmail);
    if (existing && !t.appended) return { tenant_id: tenantId, user_id: existing, position: 0 };
    const m = await this.commands.execute(
      new AddMember(tenantId, cmd.adminEmail, 'Administrator', ['tenant_admin'], cmd.adminPassword, 'en', [...SYS_ROLE_NAMES]),
    );
    return { tenant_id: tenantId, user_id: m.user_id, position: Math.max(t.position, m.position) };
  }
}

export class CreateTenant {
  constructor(
    readonly name: string,
    readonly tenantType: TenantType,
    readonly country: string,
    readonly admin: { email: string; display_name: string; password: string | null; language: 'sv' | 'en' },
    readonly by: string | null,
    /** Chosen by the caller when other streams must name the tenant first (a chain's code reservation). */
    readonly tenantId: string = randomUUID(),
  ) {}
}

/**
 * An operator creates a tenant of any type and its first tenant_admin (POST /sys/tenants). An
 * existing user is added as admin and keeps their password; a new one gets the given password,
 * or, without one, an e-mailed single-use set-password link.
 */
@CommandHandler(CreateTenant)
export class CreateTenantHandler implements ICommandHandler<
  CreateTenant,
  { tenant_id: string; user_id: string; admin_created: boolean; set_password_link_sent: boolean; position: number }
> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly commands: CommandBus,
  ) {}

  async execute(cmd: CreateTenant) {
    // checked before anything is written: a refused admin must not leave a tenant without one
    const problem = cmd.admin.password === null ? null : passwordProblem(cmd.admin.password);
    if (problem) throw badRequest('weak_password', `admin.password: ${problem}`);
    const tenantId = cmd.tenantId;
    const t = await this.repo.execute<TenantState, TenantEvent>(tenantStream(tenantId), tenantEvolver, (s) =>
      decideCreateTenant(s, { tenant_id: tenantId, name: cmd.name.trim(), tenant_type: cmd.tenantType, by: cmd.by, country: cmd.country }),
    );
    const a = cmd.admin;
    const m = await this.commands.execute(
      new AddMember(tenantId, a.email, a.display_name, ['tenant_admin'], a.password, a.language, [], { by: cmd.by }),
    );
    let position = Math.max(t.position, m.position);
    const link = m.created && a.password === null;
    if (link) position = Math.max(position, (await this.commands.execute(new IssuePasswordSetLink(m.user_id))).position);
    return { tenant_id: tenantId, user_id: m.user_id, admin_created: m.created, set_password_link_sent: link, position };
  }
}
