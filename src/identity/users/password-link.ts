import { Body, Controller, HttpCode, Inject, Injectable, Post, type OnModuleInit } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository, type DomainEvent } from '../../eventstore/aggregate-repository.js';
import { MAIL_TRANSPORT, type MailTransport } from '../../notifications/mail-transport.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { open, randomToken, safeEqual, seal, sha256Hex, type Sealed } from '../../shared/crypto.js';
import { badRequest } from '../../shared/errors.js';
import { isUuid } from '../../shared/ids.js';
import { CommandGateway } from '../../shared/command-gateway.js';
import { Secrets } from '../../shared/secrets.js';
import type { UserView } from '../../../projections/users.js';
import { Public } from '../auth/decorators.js';
import { hashPassword, passwordProblem } from './password.js';
import { userEvolver, userStream, type UserEvent, type UserState } from './user.decider.js';

/**
 * A single-use set-password link for a person created without a password (a new tenant admin).
 * The token is `<user id>.<256 random bits>`; only its SHA-256 is in the event log, and the mail
 * job carries it sealed (AES-256-GCM, link id as associated data). A new link supersedes the
 * previous one; a link lives 72 hours. Minimal by design, to merge with the invitation flow.
 */
export const PASSWORD_LINK_TTL_MS = 72 * 3600_000;
export const PASSWORD_LINK_MAIL_JOB = 'password-set-link-mail';

export type PasswordLinkEvent =
  | DomainEvent<'PasswordSetLinkIssued', { user_id: string; link_id: string; token_hash: string; expires_at: string }>
  | DomainEvent<'PasswordSetLinkUsed', { user_id: string; link_id: string }>;

interface LinkState {
  link_id: string | null;
  token_hash: string | null;
  expires_at: number;
  used: boolean;
}
export const passwordLinkStream = (userId: string) => `password-link-${userId}`;
const linkEvolver = {
  initialState: (): LinkState => ({ link_id: null, token_hash: null, expires_at: 0, used: false }),
  evolve: (s: LinkState, e: PasswordLinkEvent): LinkState =>
    e.type === 'PasswordSetLinkIssued'
      ? { link_id: e.data.link_id, token_hash: e.data.token_hash, expires_at: Date.parse(e.data.expires_at), used: false }
      : { ...s, used: s.used || e.data.link_id === s.link_id },
};

const INVALID = () => badRequest('invalid_or_expired_token', 'This set-password link is not valid (used, superseded or expired).');

export class IssuePasswordSetLink {
  constructor(readonly userId: string) {}
}
export class SetPasswordWithLink {
  constructor(
    readonly token: string,
    readonly password: string,
  ) {}
}

interface LinkMailJob {
  user_id: string;
  link_id: string;
  sealed: Sealed;
}
const aad = (linkId: string) => `password-link|${linkId}`;

@CommandHandler(IssuePasswordSetLink)
export class IssuePasswordSetLinkHandler implements ICommandHandler<IssuePasswordSetLink, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: IssuePasswordSetLink) {
    const linkId = randomUUID();
    const token = `${cmd.userId}.${randomToken(256)}`;
    const expires = new Date(this.clock.now().getTime() + PASSWORD_LINK_TTL_MS).toISOString();
    const r = await this.repo.execute<LinkState, PasswordLinkEvent>(passwordLinkStream(cmd.userId), linkEvolver, () => [
      { type: 'PasswordSetLinkIssued', data: { user_id: cmd.userId, link_id: linkId, token_hash: sha256Hex(token), expires_at: expires } },
    ]);
    const sealed = seal(this.secrets.encryptionKey, this.secrets.encryptionKeyId, token, aad(linkId));
    await this.queue.enqueue<LinkMailJob>(
      PASSWORD_LINK_MAIL_JOB,
      { user_id: cmd.userId, link_id: linkId, sealed },
      { jobId: `password-link-${linkId}` },
    );
    return { position: r.position };
  }
}

@CommandHandler(SetPasswordWithLink)
export class SetPasswordWithLinkHandler implements ICommandHandler<SetPasswordWithLink, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}
  async execute(cmd: SetPasswordWithLink) {
    const userId = cmd.token.split('.')[0] ?? '';
    if (!isUuid(userId)) throw INVALID();
    const problem = passwordProblem(cmd.password);
    if (problem) throw badRequest('weak_password', problem);
    const hash = await hashPassword(cmd.password);
    // no retry on conflict: of two concurrent uses of one link, exactly one wins
    const used = await this.repo.execute<LinkState, PasswordLinkEvent>(
      passwordLinkStream(userId),
      linkEvolver,
      (s) => {
        if (!s.link_id || s.used || this.clock.now().getTime() >= s.expires_at || !safeEqual(sha256Hex(cmd.token), s.token_hash!))
          throw INVALID();
        return [{ type: 'PasswordSetLinkUsed', data: { user_id: userId, link_id: s.link_id } }];
      },
      { retryOnConflict: false },
    );
    const r = await this.repo.execute<UserState, UserEvent>(userStream(userId), userEvolver, () => [
      { type: 'PasswordChanged', data: { user_id: userId, password_hash: hash } },
    ]);
    return { position: Math.max(used.position, r.position) };
  }
}

/** Sends the link (in the person's language); a retry after success sends the same Message-ID. */
@Injectable()
export class PasswordLinkMailer implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly secrets: Secrets,
  ) {}
  onModuleInit(): void {
    this.queue.register<LinkMailJob>(PASSWORD_LINK_MAIL_JOB, (job) => this.send(job));
  }
  private async send(job: LinkMailJob): Promise<void> {
    const user = await this.reads.collection<UserView>('users').get(job.user_id);
    if (!user) throw new Error('user not projected yet'); // retried with backoff
    const token = open(this.secrets.encryptionKey, job.sealed, aad(job.link_id));
    const url = `${this.config.publicBaseUrl.replace(/\/+$/, '')}/account/set-password#token=${token}`;
    const sv = user.language === 'sv';
    await this.mail.send({
      to: user.email,
      subject: sv ? 'Välj ett lösenord för Petanque Life' : 'Choose a password for Petanque Life',
      text: [
        sv ? `Hej ${user.display_name},` : `Hello ${user.display_name},`,
        '',
        sv
          ? 'Ett konto har skapats åt dig. Välj ditt lösenord inom 72 timmar via länken nedan (den fungerar en gång):'
          : 'An account was created for you. Choose your password within 72 hours with the link below (it works once):',
        url,
        '',
        `API: POST /auth/password/set { "token": "${token}", "password": "…" }`,
        '',
        '— Petanque Life Security',
      ].join('\n'),
      messageId: `password-link-${job.link_id}`,
      headers: { 'X-Password-Link': job.link_id },
    });
  }
}

export class SetPasswordDto {
  @ApiProperty() @IsString() @MaxLength(512) token!: string;
  @ApiProperty() @IsString() @MaxLength(256) password!: string;
}

@ApiTags('auth')
@Controller('auth/password')
export class PasswordLinkController {
  constructor(private readonly gateway: CommandGateway) {}

  @Public()
  @Post('set')
  @HttpCode(200)
  async set(@Body() dto: SetPasswordDto) {
    await this.gateway.run(new SetPasswordWithLink(dto.token, dto.password));
    return { password_set: true };
  }
}
