import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { MAIL_TRANSPORT, type MailTransport } from '../../notifications/mail-transport.js';
import { ReactorRegistry } from '../../projections-runtime/reactor-registry.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { Secrets } from '../../shared/secrets.js';
import type { TenantView, UserView } from '../../../projections/users.js';
import { invitationToken } from './invitation-tokens.js';
import { ExpireInvitations } from './invitation.handlers.js';

const MAIL_JOB = 'invitation-mail';
const EXPIRY_JOB = 'invitation-expiry';

interface MailJob {
  event_id: string;
  user_id: string;
  invitation_id: string;
  tenant_id: string;
  roles: string[];
  expires_at: string;
}

const day = (iso: string) => iso.slice(0, 16).replace('T', ' ') + ' UTC';

const TEXTS = {
  invitation: {
    en: {
      subject: 'You are invited to join a Petanque Life organisation',
      body: (tenant: string, roles: string, token: string, url: string, until: string) => [
        `You were invited to join "${tenant}" as ${roles}. You become a member only if you accept.`,
        '',
        `To accept, sign in to Petanque Life as yourself and send this invitation token to ${url}/invitations/accept:`,
        token,
        '',
        `The invitation can be used once and expires on ${until}. If you do not expect it, ignore this e-mail: nothing changes.`,
      ],
    },
    sv: {
      subject: 'Du är inbjuden till en organisation i Petanque Life',
      body: (tenant: string, roles: string, token: string, url: string, until: string) => [
        `Du har bjudits in till "${tenant}" som ${roles}. Du blir medlem bara om du tackar ja.`,
        '',
        `För att tacka ja: logga in i Petanque Life som dig själv och skicka den här inbjudningskoden till ${url}/invitations/accept:`,
        token,
        '',
        `Inbjudan kan användas en gång och gäller till ${until}. Om du inte väntar dig den kan du bortse från mejlet: ingenting ändras.`,
      ],
    },
  },
};

/**
 * E-mails an invitation's accept token to an existing person. A reactor
 * (never run by a rebuild) enqueues one job per event, keyed by the event id; the job derives
 * the token from the server key (invitation-tokens.ts), so no token is stored anywhere.
 * Also schedules the expiry sweep of invitations past their 7 days.
 */
@Injectable()
export class InvitationMail implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly reactors: ReactorRegistry,
    private readonly secrets: Secrets,
    private readonly commands: CommandBus,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queue.register<MailJob>(MAIL_JOB, (job) => this.send(job), { concurrency: 2 });
    this.queue.register(EXPIRY_JOB, async () => {
      await this.commands.execute(new ExpireInvitations());
    });
    this.reactors.add({
      name: 'invitation-mail',
      handles: ['MemberInvited'],
      react: async (event) => {
        const d = event.data as Record<string, any>;
        if (!d.needs_acceptance) return; // a new account's invitation is accepted at once: no link
        await this.queue.enqueue<MailJob>(
          MAIL_JOB,
          {
            event_id: event.id,
            user_id: d.user_id,
            invitation_id: d.invitation_id,
            tenant_id: d.tenant_id,
            roles: d.roles,
            expires_at: d.expires_at,
          },
          { jobId: `invitation-mail-${event.id}`, attempts: 8, backoffMs: 2000 },
        );
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.repeat(EXPIRY_JOB, {}, { everyMs: 60_000, key: 'invitation-expiry' });
  }

  private async send(job: MailJob): Promise<void> {
    const user = await this.reads.collection<UserView>('users').get(job.user_id);
    // the users read model may trail the event by a moment: fail, and the queue retries with backoff
    if (!user) throw new Error('invitation mail: user not projected yet');
    const tenant = await this.reads.collection<TenantView>('tenants').get(job.tenant_id);
    const lang = user.language === 'sv' ? 'sv' : 'en';
    const text = TEXTS.invitation[lang];
    const token = invitationToken(this.secrets.hmacKey, job.invitation_id);
    const base = this.config.publicBaseUrl.replace(/\/+$/, '');
    await this.mail.send({
      to: user.email,
      subject: text.subject,
      text: [
        lang === 'sv' ? `Hej ${user.display_name},` : `Hello ${user.display_name},`,
        '',
        ...text.body(tenant?.name ?? 'Petanque Life', job.roles.join(', '), token, base, day(job.expires_at)),
        '',
        '— Petanque Life Security',
      ].join('\n'),
      messageId: `invitation-${job.event_id}`,
      headers: { 'X-Security-Event': 'tenant_invitation', 'X-Invitation': job.invitation_id },
    });
  }
}
