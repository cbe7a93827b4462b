import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { normaliseEmail } from '../../identity/login/log-in.handler.js';
import { releaseEmail, reserveEmail } from '../../identity/users/email-reservation.js';
import { verifyPassword } from '../../identity/users/password.js';
import { userEvolver, userStream, type UserEvent, type UserState } from '../../identity/users/user.decider.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { hmacHex, randomDigits, sha256Hex } from '../../shared/crypto.js';
import { badRequest, DomainError, notFound, unauthorized } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';
import { sealFor } from '../../mfa/otp-challenge/otp-code.js';
import {
  decideConfirm,
  emailChangeEvolver,
  emailChangeStream,
  requestWait,
  type EmailChangeEvent,
  type EmailChangeState,
} from './email-change.decider.js';
import { EMAIL_CHANGE_JOB, emailChangeAad, type EmailChangeJob } from './email-change.mailer.js';

export class RequestEmailChange {
  constructor(
    readonly auth: AuthContext,
    readonly newEmail: string,
    readonly password: string,
  ) {}
}
export class ConfirmEmailChange {
  constructor(
    readonly auth: AuthContext,
    readonly code: string,
  ) {}
}

const codeHashFor = (secrets: Secrets, changeId: string, code: string) => hmacHex(secrets.hmacKey, `email-change|${changeId}|${code}`);

const CONFIRM_ERRORS: Record<string, () => DomainError> = {
  no_pending_email_change: () => badRequest('no_pending_email_change', 'There is no pending e-mail change; request one first.'),
  email_change_expired: () => badRequest('email_change_expired', 'This code has expired; request the change again.'),
  email_change_locked: () => badRequest('email_change_locked', 'Too many wrong codes: request the change again.'),
  invalid_code: () => badRequest('invalid_code', 'The code is not correct.'),
};

/**
 * POST /me/email: the password (under the login counter) and, once the person has a second
 * factor, a fresh one; then a code to the new address and a notice to the old one. Whether the
 * new address is taken is not told here (that would be an account-existence oracle): only its
 * owner, who can read the code, learns it at confirmation.
 */
@CommandHandler(RequestEmailChange)
export class RequestEmailChangeHandler implements ICommandHandler<RequestEmailChange, { position: number; expires_in: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly stepUp: StepUpService,
    private readonly secrets: Secrets,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ auth, newEmail, password }: RequestEmailChange) {
    const uid = auth.user_id;
    const { state: user } = await this.repo.load(userStream(uid), userEvolver);
    if (!user.exists) throw notFound('user_not_found', 'No such user.');
    await this.stepUp.assertMayBindFactor(auth);
    const to = normaliseEmail(newEmail);
    if (to === user.email) throw badRequest('email_unchanged', 'This is already your e-mail address.');
    const outcome = await this.bruteForce.attempt(
      { scope: 'login', subject: sha256Hex(user.email), user_id: uid, factor: 'password' },
      async () => ({ ok: await verifyPassword(user.password_hash, password) }),
    );
    if (!outcome.ok) throw unauthorized('invalid_credentials', 'The password is incorrect.');

    const now = this.clock.now().getTime();
    const change_id = randomUUID();
    const code = randomDigits(6);
    const ttl = this.config.otp.codeTtlSeconds;
    const r = await this.repo.execute<EmailChangeState, EmailChangeEvent>(emailChangeStream(uid), emailChangeEvolver, (s) => {
      const wait = requestWait(s, now);
      if (wait > 0)
        throw new DomainError(
          'email_change_rate_limited',
          429,
          `Too many e-mail change requests; try again in ${wait} s.`,
          { retry_after: wait },
          {
            'Retry-After': String(wait),
          },
        );
      return [
        {
          type: 'EmailChangeRequested',
          data: {
            change_id,
            user_id: uid,
            new_email: to,
            code_hash: codeHashFor(this.secrets, change_id, code),
            expires_at: new Date(now + ttl * 1000).toISOString(),
            at: new Date(now).toISOString(),
          },
        },
      ];
    });
    // the code travels sealed (AES-GCM, AAD = change id); the job id is the event id (sent once)
    const job: EmailChangeJob = {
      change_id,
      user_id: uid,
      sealed: sealFor(this.secrets, emailChangeAad(change_id), { code, to, from: user.email }),
    };
    await this.queue.enqueue<EmailChangeJob>(EMAIL_CHANGE_JOB, job, {
      jobId: `${EMAIL_CHANGE_JOB}-${r.events[0]!.id}`,
      attempts: 8,
      backoffMs: 2000,
    });
    return { position: r.position, expires_in: ttl };
  }
}

/** POST /me/email/confirm: the code (under the MFA counter), the new address reserved, EmailChanged, the old one released. */
@CommandHandler(ConfirmEmailChange)
export class ConfirmEmailChangeHandler implements ICommandHandler<ConfirmEmailChange, { position: number; email: string }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly bruteForce: BruteForceService,
    private readonly secrets: Secrets,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ auth, code }: ConfirmEmailChange) {
    const uid = auth.user_id;
    let result: ReturnType<typeof decideConfirm> = { ok: false, reason: 'no_pending_email_change', events: [] };
    await this.bruteForce.attempt({ scope: 'mfa', subject: uid, user_id: uid, factor: 'email_change' }, async () => {
      await this.repo.execute<EmailChangeState, EmailChangeEvent>(emailChangeStream(uid), emailChangeEvolver, (s) => {
        result = decideConfirm(s, uid, (id) => codeHashFor(this.secrets, id, code), this.clock.now().getTime());
        return result.events;
      });
      return { ok: result.ok };
    });
    const r = result as ReturnType<typeof decideConfirm>;
    if (!r.ok) throw CONFIRM_ERRORS[r.reason]!();
    const to = r.change.new_email;
    await reserveEmail(this.repo, to, uid);
    const changed = await this.repo.execute<UserState, UserEvent>(userStream(uid), userEvolver, (s) =>
      s.email === to
        ? []
        : [{ type: 'EmailChanged', data: { user_id: uid, email: to, previous_email: s.email, change_id: r.change.change_id } }],
    );
    const previous = (changed.events[0]?.data as { previous_email?: string } | undefined)?.previous_email;
    const released = previous ? await releaseEmail(this.repo, previous, uid) : 0;
    return { position: Math.max(changed.position, released), email: to };
  }
}
