import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { MAIL_TRANSPORT, type MailTransport } from '../../notifications/mail-transport.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import type { Sealed } from '../../shared/crypto.js';
import { maskEmail } from '../../shared/mask.js';
import { Secrets } from '../../shared/secrets.js';
import { openFor } from '../../mfa/otp-challenge/otp-code.js';
import type { UserView } from '../../../projections/users.js';
import { emailChangeEvolver, emailChangeStream, type EmailChangeEvent, type EmailChangeState } from './email-change.decider.js';

export const EMAIL_CHANGE_JOB = 'email-change-mail';
export const emailChangeAad = (changeId: string) => `email-change-job|${changeId}`;
export interface EmailChangeJob {
  change_id: string;
  user_id: string;
  sealed: Sealed;
}

const TEXTS = {
  en: {
    code: {
      subject: 'Confirm your new e-mail address',
      body: (code: string) => [
        `Your confirmation code is: ${code}`,
        '',
        'Enter it where you asked to change your address. It is valid for a few minutes and can be used once.',
      ],
    },
    notice: {
      subject: 'Your e-mail address is being changed',
      body: (to: string) => [
        `Someone signed in to your account asked to change its e-mail address to ${to}. The change happens only once the new address is confirmed.`,
        'If this was not you, change your password and review your sessions now.',
      ],
    },
  },
  sv: {
    code: {
      subject: 'Bekräfta din nya e-postadress',
      body: (code: string) => [
        `Din bekräftelsekod är: ${code}`,
        '',
        'Ange den där du bad om att byta adress. Den gäller i några minuter och kan användas en gång.',
      ],
    },
    notice: {
      subject: 'Din e-postadress håller på att ändras',
      body: (to: string) => [
        `Någon som är inloggad på ditt konto bad om att byta dess e-postadress till ${to}. Bytet sker först när den nya adressen har bekräftats.`,
        'Om det inte var du: byt lösenord och se över dina sessioner nu.',
      ],
    },
  },
};

/** Sends the confirmation code to the new address and a notice (new address masked) to the old one; skips a change no longer pending. */
@Injectable()
export class EmailChangeMailer implements OnModuleInit {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.queue.register<EmailChangeJob>(EMAIL_CHANGE_JOB, (job) => this.send(job), { concurrency: 2 });
  }

  private async send(job: EmailChangeJob): Promise<void> {
    const { state } = await this.repo.load<EmailChangeState, EmailChangeEvent>(emailChangeStream(job.user_id), emailChangeEvolver);
    const p = state.pending;
    if (!p || p.change_id !== job.change_id || p.done || this.clock.now().getTime() >= p.expires_at) return;
    const { code, to, from } = openFor<{ code: string; to: string; from: string }>(this.secrets, emailChangeAad(job.change_id), job.sealed);
    const user = await this.reads.collection<UserView>('users').get(job.user_id);
    const t = TEXTS[user?.language === 'sv' ? 'sv' : 'en'];
    // each message has its own id, so a retry after one was sent never sends it twice
    await this.mail.send({
      to,
      subject: t.code.subject,
      text: t.code.body(code).join('\n'),
      messageId: `email-change-code-${job.change_id}`,
      headers: { 'X-Email-Change': job.change_id },
    });
    await this.mail.send({
      to: from,
      subject: t.notice.subject,
      text: t.notice.body(maskEmail(to)).join('\n'),
      messageId: `email-change-notice-${job.change_id}`,
      headers: { 'X-Email-Change-Notice': job.change_id },
    });
  }
}
