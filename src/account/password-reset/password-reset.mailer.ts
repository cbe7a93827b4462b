import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { MAIL_TRANSPORT, type MailTransport } from '../../notifications/mail-transport.js';
import { ReactorRegistry } from '../../projections-runtime/reactor-registry.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { logger } from '../../shared/logger.js';
import { Secrets } from '../../shared/secrets.js';
import type { UserView } from '../../../projections/users.js';
import { resetEvolver, resetStream, type PasswordResetEvent, type ResetState } from './password-reset.decider.js';
import { resetToken } from './password-reset.handlers.js';

const JOB = 'password-reset-mail';

const TEXTS = {
  en: {
    subject: 'Reset your Petanque Life password',
    body: (name: string, link: string, minutes: number) => [
      `Hello ${name},`,
      '',
      'Someone (hopefully you) asked to reset the password of your Petanque Life account. Open this link to choose a new one:',
      '',
      link,
      '',
      `The link works once and for ${minutes} minutes. If your account has a second factor, you will need it too.`,
      'If you did not ask for this, ignore this e-mail: your password stays as it is.',
      '',
      '— Petanque Life Security',
    ],
  },
  sv: {
    subject: 'Återställ ditt lösenord för Petanque Life',
    body: (name: string, link: string, minutes: number) => [
      `Hej ${name},`,
      '',
      'Någon (förhoppningsvis du) bad om att återställa lösenordet för ditt Petanque Life-konto. Öppna länken för att välja ett nytt:',
      '',
      link,
      '',
      `Länken fungerar en gång och i ${minutes} minuter. Har ditt konto en andra faktor behöver du den också.`,
      'Om du inte bad om detta kan du strunta i mejlet: ditt lösenord förblir som det är.',
      '',
      '— Petanque Life Security',
    ],
  },
};

/**
 * Sends the reset link: a reactor on PasswordResetTokenIssued (known accounts only) enqueues one
 * job per event id; the job rebuilds the token from the reset id (HMAC), so neither the event, the
 * queue nor a log holds it, and skips a link that was already used or has expired. The token sits
 * in the URL fragment, which browsers never send to a server, so it reaches no access log.
 */
@Injectable()
export class PasswordResetMailer implements OnModuleInit {
  constructor(
    private readonly reactors: ReactorRegistry,
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queue.register<{ reset_id: string; user_id: string }>(JOB, (job) => this.send(job.reset_id, job.user_id), { concurrency: 2 });
    this.reactors.add({
      name: 'password-reset-mail',
      handles: ['PasswordResetTokenIssued'],
      react: async (event) => {
        const e = { type: event.type, data: event.data } as PasswordResetEvent;
        if (e.type !== 'PasswordResetTokenIssued' || !e.data.user_id) return;
        await this.queue.enqueue(
          JOB,
          { reset_id: e.data.reset_id, user_id: e.data.user_id },
          { jobId: `${JOB}-${event.id}`, attempts: 8, backoffMs: 2000 },
        );
      },
    });
  }

  private async send(resetId: string, userId: string): Promise<void> {
    const { state } = await this.repo.load<ResetState, PasswordResetEvent>(resetStream(resetId), resetEvolver);
    if (!state.exists || state.used || this.clock.now().getTime() >= state.expires_at) {
      logger.info({ reset_id: resetId }, 'password reset mail skipped: link no longer usable');
      return;
    }
    const user = await this.reads.collection<UserView>('users').get(userId);
    if (!user) return;
    const lang = user.language === 'sv' ? 'sv' : 'en';
    const link = `${this.config.publicBaseUrl.replace(/\/+$/, '')}/account/reset-password#token=${resetToken(this.secrets, resetId)}`;
    const minutes = Math.round((state.expires_at - this.clock.now().getTime()) / 60_000);
    await this.mail.send({
      to: user.email,
      subject: TEXTS[lang].subject,
      text: TEXTS[lang].body(user.display_name, link, Math.max(1, minutes)).join('\n'),
      messageId: `password-reset-${resetId}`,
      headers: { 'X-Password-Reset': resetId },
    });
  }
}
