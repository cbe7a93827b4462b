import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import { EVENT_STORE, type EventStore } from '../../eventstore/event-store.port.js';
import { MAIL_TRANSPORT, type MailTransport } from '../../notifications/mail-transport.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { hmacHex, open, randomDigits, seal, type Sealed } from '../../shared/crypto.js';
import { badRequest, conflict, DomainError } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { normaliseEmail, userIdForEmail } from '../../identity/login/log-in.handler.js';
import { SessionTokens, type TokenPair } from '../../identity/sessions/session-tokens.service.js';
import { decideCreateTenant, tenantEvolver, tenantStream } from '../../identity/tenants/tenant.decider.js';
import { hashPassword, passwordProblem } from '../../identity/users/password.js';
import { AddMember } from '../../identity/users/user.handlers.js';
import { decideCreateContext, individualEvolver, individualStream } from '../profile/individual.decider.js';
import {
  challengeEvolver,
  CODE_TTL_MS,
  decideCode,
  retryAfterMs,
  signupSendsEvolver,
  signupSendsStream,
  signupStream,
  type Challenge,
  type CodeProblem,
  type Profile,
  type SignupEvent,
  type SignupSends,
} from './signup.decider.js';

const HOUR = 3_600_000;
export const SIGNUP_MAIL_JOB = 'individual-signup-mail';

export class RequestIndividualSignup {
  constructor(
    readonly email: string,
    readonly password: string,
    readonly profile: Profile,
  ) {}
}
export class VerifyIndividualSignup {
  constructor(
    readonly email: string,
    readonly code: string,
  ) {}
}

interface SignupMailJob {
  kind: 'code' | 'notice';
  ref: string;
  language: 'sv' | 'en';
  /** { to, code? } sealed with the ref as associated data: no queue row holds an address or a code in clear. */
  sealed: Sealed;
}

const addressKey = (secrets: Secrets, email: string) => hmacHex(secrets.hmacKey, `individual-signup-address|${email}`).slice(0, 32);
const codeHash = (secrets: Secrets, challengeId: string, code: string) =>
  hmacHex(secrets.hmacKey, `individual-signup|${challengeId}|${code}`);

async function buckets(repo: AggregateRepository, key: string, now: number) {
  const hour = Math.floor(now / HOUR) * HOUR;
  const [previous, current] = await Promise.all([
    repo.load<SignupSends, SignupEvent>(signupSendsStream(key, hour - HOUR), signupSendsEvolver),
    repo.load<SignupSends, SignupEvent>(signupSendsStream(key, hour), signupSendsEvolver),
  ]);
  return { hour, previous: previous.state, current: current.state };
}

/**
 * POST /public/signup/individual: the same answer and the same work (an argon2id hash, one
 * append, one mail) whether the address is new (a 6-digit code) or has an account (a "someone
 * tried to sign up with your address" notice). Beyond 3 per address per hour: 429 for both.
 */
@CommandHandler(RequestIndividualSignup)
export class RequestIndividualSignupHandler implements ICommandHandler<RequestIndividualSignup, { position: number }> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: RequestIndividualSignup) {
    const problem = passwordProblem(cmd.password);
    if (problem) throw badRequest('weak_password', problem);
    const email = normaliseEmail(cmd.email);
    const key = addressKey(this.secrets, email);
    const now = this.clock.now().getTime();
    const [existing, passwordHash] = await Promise.all([userIdForEmail(this.events, email), hashPassword(cmd.password)]);
    const ref = randomUUID();
    const { hour, previous } = await buckets(this.repo, key, now);
    let wait: number | null = null;
    const counted = await this.repo.execute<SignupSends, SignupEvent>(signupSendsStream(key, hour), signupSendsEvolver, (s) => {
      wait = retryAfterMs(previous, s, now);
      return wait !== null
        ? []
        : [
            {
              type: 'IndividualSignupRequested',
              data: { address_key: key, challenge_id: existing ? null : ref, at: new Date(now).toISOString() },
            },
          ];
    });
    if (!counted.appended) {
      const seconds = Math.max(1, Math.ceil(wait! / 1000));
      throw new DomainError(
        'rate_limited',
        429,
        `Too many signups for this address; try again in ${seconds} s.`,
        { retry_after: seconds },
        {
          'Retry-After': String(seconds),
        },
      );
    }
    let position = counted.position;
    if (existing) {
      const sealed = seal(this.secrets.encryptionKey, this.secrets.encryptionKeyId, JSON.stringify({ to: email }), ref);
      await this.queue.enqueue<SignupMailJob>(
        SIGNUP_MAIL_JOB,
        { kind: 'notice', ref, language: cmd.profile.language, sealed },
        { jobId: `signup-${ref}` },
      );
    } else {
      const code = randomDigits(6);
      const issued = await this.repo.execute<Challenge, SignupEvent>(signupStream(ref), challengeEvolver, () => [
        {
          type: 'IndividualSignupCodeIssued',
          data: {
            challenge_id: ref,
            address_key: key,
            email,
            code_hash: codeHash(this.secrets, ref, code),
            password_hash: passwordHash,
            expires_at: new Date(now + CODE_TTL_MS).toISOString(),
            ...cmd.profile,
            display_name: cmd.profile.display_name.trim(),
          },
        },
      ]);
      position = issued.position;
      const sealed = seal(this.secrets.encryptionKey, this.secrets.encryptionKeyId, JSON.stringify({ to: email, code }), ref);
      await this.queue.enqueue<SignupMailJob>(
        SIGNUP_MAIL_JOB,
        { kind: 'code', ref, language: cmd.profile.language, sealed },
        { jobId: `signup-${ref}` },
      );
    }
    return { position };
  }
}

const codeError = (p: CodeProblem) =>
  p === 'code_locked'
    ? badRequest('code_locked', 'Too many wrong codes: this code is locked. Sign up again for a new one.')
    : p === 'code_expired'
      ? badRequest('code_expired', 'This code has expired. Sign up again for a new one.')
      : badRequest('invalid_code', 'The code is not correct.');

/**
 * POST /public/signup/individual/verify: under brute-force control (a refused attempt is not
 * evaluated) and the code's own 5-try lock. The right code creates the user, a personal
 * INDIVIDUAL tenant and the IndividualContext, and answers the login token pair.
 */
@CommandHandler(VerifyIndividualSignup)
export class VerifyIndividualSignupHandler implements ICommandHandler<
  VerifyIndividualSignup,
  TokenPair & { user_id: string; tenant_id: string; position: number }
> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    private readonly bruteForce: BruteForceService,
    private readonly tokens: SessionTokens,
    private readonly commands: CommandBus,
    private readonly projections: ProjectionEngine,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(cmd: VerifyIndividualSignup) {
    const email = normaliseEmail(cmd.email);
    const key = addressKey(this.secrets, email);
    const now = this.clock.now().getTime();
    const { previous, current } = await buckets(this.repo, key, now);
    const challengeId = current.latest ?? previous.latest;
    let problem: CodeProblem | null = 'invalid_code';
    let challenge: Challenge | null = null;
    const outcome = await this.bruteForce.attempt(
      { scope: 'mfa', subject: `signup-${key}`, user_id: null, factor: 'signup_code' },
      async () => {
        if (!challengeId) return { ok: false };
        await this.repo.execute<Challenge, SignupEvent>(
          signupStream(challengeId),
          challengeEvolver,
          (s) => {
            const d = decideCode(s, codeHash(this.secrets, s.challenge_id, cmd.code), now);
            problem = d.problem;
            challenge = s;
            return d.events;
          },
          { retryOnConflict: false },
        );
        return { ok: problem === null };
      },
    );
    if (!outcome.ok || !challenge) throw codeError(problem ?? 'invalid_code');
    const c = challenge as Challenge;
    if (await userIdForEmail(this.events, email)) throw conflict('email_taken', 'An account with this address exists; log in instead.');

    const tenantId = randomUUID();
    // spend the code first: of two concurrent verifications exactly one creates the account
    await this.repo.execute<Challenge, SignupEvent>(
      signupStream(c.challenge_id),
      challengeEvolver,
      (s) => {
        if (s.used) throw codeError('invalid_code');
        return [{ type: 'IndividualSignupCompleted', data: { challenge_id: s.challenge_id, tenant_id: tenantId } }];
      },
      { retryOnConflict: false },
    );
    const t = await this.repo.execute(tenantStream(tenantId), tenantEvolver, (s) =>
      decideCreateTenant(s, {
        tenant_id: tenantId,
        name: c.profile.display_name,
        tenant_type: 'INDIVIDUAL',
        by: null,
        country: c.profile.country,
      }),
    );
    const m = await this.commands.execute(
      new AddMember(tenantId, email, c.profile.display_name, ['tenant_admin'], { hash: c.password_hash }, c.profile.language),
    );
    const ctx = await this.repo.execute(individualStream(m.user_id), individualEvolver, (s) =>
      decideCreateContext(s, { user_id: m.user_id, tenant_id: tenantId, ...c.profile, via: 'signup', now: this.clock.now() }),
    );
    // the access token is signed from the membership read model: it must have seen the new member
    await this.projections.waitFor(Math.max(t.position, m.position, ctx.position), 10_000);
    const pair = await this.tokens.start({ user_id: m.user_id, tenant_id: tenantId, method: 'signup', amr: ['pwd'], mfa: false });
    return { ...pair, user_id: m.user_id, tenant_id: tenantId, position: Math.max(t.position, m.position, ctx.position, pair.position) };
  }
}

const TEXTS = {
  code: {
    en: {
      subject: 'Your Petanque Life signup code',
      body: (code: string) => [`Your code is: ${code}`, '', 'It is valid for 10 minutes and works once. Never share it.'],
    },
    sv: {
      subject: 'Din registreringskod för Petanque Life',
      body: (code: string) => [`Din kod är: ${code}`, '', 'Den gäller i 10 minuter och fungerar en gång. Dela den aldrig.'],
    },
  },
  notice: {
    en: {
      subject: 'Someone tried to sign up with your address',
      body: () => [
        'Someone tried to create a Petanque Life player account with your e-mail address, which already has an account.',
        'If it was you, just log in (or reset your password). Otherwise you can ignore this message.',
      ],
    },
    sv: {
      subject: 'Någon försökte registrera sig med din adress',
      body: () => [
        'Någon försökte skapa ett spelarkonto på Petanque Life med din e-postadress, som redan har ett konto.',
        'Om det var du, logga in (eller återställ lösenordet). Annars kan du bortse från meddelandet.',
      ],
    },
  },
};

@Injectable()
export class SignupMailer implements OnModuleInit {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    private readonly secrets: Secrets,
  ) {}
  onModuleInit(): void {
    this.queue.register<SignupMailJob>(SIGNUP_MAIL_JOB, (job) => this.send(job), { concurrency: 2 });
  }
  private async send(job: SignupMailJob): Promise<void> {
    const { to, code } = JSON.parse(open(this.secrets.encryptionKey, job.sealed, job.ref)) as { to: string; code?: string };
    const t = TEXTS[job.kind][job.language];
    await this.mail.send({
      to,
      subject: t.subject,
      text: t.body(code ?? '').join('\n'),
      messageId: `individual-signup-${job.ref}`,
      headers: { 'X-Signup': job.kind },
    });
  }
}
