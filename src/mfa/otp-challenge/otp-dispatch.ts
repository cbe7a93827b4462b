import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { MAIL_TRANSPORT, type MailTransport } from '../../notifications/mail-transport.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { logger } from '../../shared/logger.js';
import { Secrets } from '../../shared/secrets.js';
import type { UserView } from '../../../projections/users.js';
import { SMS_TRANSPORT, type SmsTransport } from '../sms/sms-transport.js';
import { jobAad, openFor } from './otp-code.js';
import { decideDispatched, otpEvolver, otpStream, type OtpEvent, type OtpState } from './otp.decider.js';
import { OTP_JOBS, type OtpJob, type OtpJobSecret } from './otp.service.js';

const TEXTS = {
  sms: {
    en: (code: string, min: number) => `Your Petanque Life code is ${code}. It is valid for ${min} minutes. Never share it with anyone.`,
    sv: (code: string, min: number) => `Din Petanque Life-kod är ${code}. Den gäller i ${min} minuter. Dela den aldrig med någon.`,
  },
  email: {
    en: {
      subject: 'Your Petanque Life sign-in code',
      body: (code: string, min: number) => [
        `Your one-time code is: ${code}`,
        '',
        `It is valid for ${min} minutes and can be used once. Never share it with anyone; we will never ask for it.`,
        'If you did not ask for a code, someone may know your password: change it and review your sessions.',
      ],
    },
    sv: {
      subject: 'Din inloggningskod för Petanque Life',
      body: (code: string, min: number) => [
        `Din engångskod är: ${code}`,
        '',
        `Den gäller i ${min} minuter och kan användas en gång. Dela den aldrig med någon; vi frågar aldrig efter den.`,
        'Om du inte bad om en kod kan någon känna till ditt lösenord: byt det och se över dina sessioner.',
      ],
    },
  },
};

/**
 * Delivery jobs for codes (enqueued by OtpService right after the challenge event, job id = the
 * event id). A transport failure throws, so the queue retries with backoff; the challenge is
 * untouched meanwhile. A job skips a challenge that was already dispatched, used, locked or has
 * expired (a late code is useless), so a retry after success never sends twice.
 */
@Injectable()
export class OtpDispatch implements OnModuleInit {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(SMS_TRANSPORT) private readonly sms: SmsTransport,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queue.register<OtpJob>(OTP_JOBS.sms, (job) => this.deliver('sms', job), { concurrency: 2 });
    this.queue.register<OtpJob>(OTP_JOBS.email, (job) => this.deliver('email', job), { concurrency: 2 });
  }

  private async deliver(channel: 'sms' | 'email', job: OtpJob): Promise<void> {
    const stream = otpStream(job.user_id);
    const { state } = await this.repo.load(stream, otpEvolver);
    const c = state.challenges[job.challenge_id];
    if (!c || c.dispatched || c.status !== 'open' || this.clock.now().getTime() >= c.expires_at) {
      logger.info({ challenge_id: job.challenge_id, channel }, 'otp delivery skipped: challenge no longer open');
      return;
    }
    const secret = openFor<OtpJobSecret>(this.secrets, jobAad(job.challenge_id), job.sealed);
    const user = await this.reads.collection<UserView>('users').get(job.user_id);
    const lang = user?.language === 'sv' ? 'sv' : 'en';
    const minutes = Math.round((c.expires_at - c.issued_at) / 60_000);
    let providerId: string | null = null;
    if (channel === 'sms') {
      const base = this.config.publicBaseUrl.replace(/\/+$/, '');
      const sent = await this.sms.send({
        to: secret.to!,
        message: TEXTS.sms[lang](secret.code, minutes),
        whenDelivered: `${base}/webhooks/46elks/delivery/${secret.secret}`,
        messageId: job.challenge_id,
      });
      providerId = sent.providerId;
    } else {
      if (!user?.email) return;
      const t = TEXTS.email[lang];
      await this.mail.send({
        to: user.email,
        subject: t.subject,
        text: t.body(secret.code, minutes).join('\n'),
        messageId: `mfa-email-otp-${job.challenge_id}`,
        headers: { 'X-Otp-Challenge': job.challenge_id },
      });
    }
    await this.repo.execute<OtpState, OtpEvent>(stream, otpEvolver, (s) => decideDispatched(s, job.challenge_id, job.user_id, providerId));
  }
}
