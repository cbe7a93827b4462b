import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository, type Command, type ExecuteResult } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { BruteForceService } from '../../identity/brute-force/brute-force.service.js';
import { SessionTokens, type PendingSession } from '../../identity/sessions/session-tokens.service.js';
import type { SessionState } from '../../identity/sessions/session.decider.js';
import { ProjectionEngine } from '../../projections-runtime/projection-engine.js';
import { JOB_QUEUE, type JobQueue } from '../../queue/job-queue.port.js';
import { READ_STORE, type ReadStore, type Where } from '../../readstore/read-store.port.js';
import { AsyncMutex } from '../../shared/async-mutex.js';
import { CLOCK, type Clock } from '../../shared/clock.js';
import { randomToken, sha256Hex } from '../../shared/crypto.js';
import { badRequest, DomainError } from '../../shared/errors.js';
import { Secrets } from '../../shared/secrets.js';
import type { OtpSendView } from '../../../projections/sms-factors.js';
import { codeHash, destinationHash, jobAad, newCode, openFor, phoneAad, sealFor } from './otp-code.js';
import {
  decideIssue,
  decideVerify,
  enrolledEvent,
  latestEnrolChallenge,
  otpEvolver,
  otpStream,
  rateLimited,
  waitSeconds,
  type LimitRule,
  type OtpChannel,
  type OtpEvent,
  type OtpPurpose,
  type OtpState,
  type PhoneRef,
  type VerifyResult,
} from './otp.decider.js';

export const OTP_JOBS: Record<OtpChannel, string> = { sms: 'mfa-otp-sms', email: 'mfa-otp-email' };

/** What a delivery job carries: everything secret sealed (AES-256-GCM, AAD = challenge id). */
export interface OtpJob {
  challenge_id: string;
  user_id: string;
  sealed: ReturnType<typeof sealFor>;
}
export interface OtpJobSecret {
  code: string;
  /** E.164 number (SMS only). */
  to?: string;
  /** Delivery-webhook secret (SMS only). */
  secret?: string;
}

export interface IssueRequest {
  auth: Pick<AuthContext, 'user_id' | 'tenant_id'>;
  channel: OtpChannel;
  purpose: OtpPurpose;
  /** SMS enrolment: the new number (E.164 + mask). Otherwise taken from the factor / the account. */
  phone?: { e164: string; masked: string };
  email?: string;
}

/**
 * Issues and verifies one-time codes for SMS and e-mail. Send limits: per user from the user's
 * stream (exact, optimistic concurrency); per number/address and per tenant from the otp_sends
 * read model, checked and appended under one in-process mutex that is released only once the
 * projection has seen the new send, so concurrent requests in a process are counted exactly.
 */
@Injectable()
export class OtpService {
  private readonly mutex = new AsyncMutex();

  constructor(
    private readonly repo: AggregateRepository,
    private readonly secrets: Secrets,
    private readonly projections: ProjectionEngine,
    private readonly bruteForce: BruteForceService,
    private readonly stepUp: StepUpService,
    private readonly tokens: SessionTokens,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  load(userId: string): Promise<{ state: OtpState; version: number }> {
    return this.repo.load(otpStream(userId), otpEvolver);
  }

  /** The enrolled number in clear: only for the delivery job and the owner. */
  openPhone(userId: string, ref: PhoneRef): string {
    return openFor<string>(this.secrets, phoneAad(userId), ref.phone_sealed);
  }

  async issue(req: IssueRequest): Promise<{ challenge_id: string; expires_in: number; position: number }> {
    const { user_id, tenant_id } = req.auth;
    return this.mutex.run(async () => {
      const now = this.clock.now().getTime();
      const limits = this.config.otp[req.channel];
      const destination = req.channel === 'sms' ? req.phone!.e164 : req.email!.toLowerCase();
      const dHash = destinationHash(this.secrets, destination);
      const wait = Math.max(
        waitSeconds(
          await this.recent({ channel: req.channel, destination_hash: dHash }, limits.perPhoneDay, now),
          { hour: limits.perPhoneHour, day: limits.perPhoneDay, minIntervalSeconds: limits.minIntervalSeconds },
          now,
        ),
        waitSeconds(
          await this.recent({ channel: req.channel, tenant_id }, limits.perTenantDay, now),
          { hour: limits.perTenantHour, day: limits.perTenantDay, minIntervalSeconds: 0 },
          now,
        ),
      );
      if (wait > 0) throw rateLimited(wait, req.channel);

      const challenge_id = randomUUID();
      const code = newCode();
      const secret = req.channel === 'sms' ? randomToken(256) : undefined;
      const phone: PhoneRef | null =
        req.purpose === 'enroll'
          ? { phone_sealed: sealFor(this.secrets, phoneAad(user_id), req.phone!.e164), phone_hash: dHash, phone_masked: req.phone!.masked }
          : null;
      const userRule: LimitRule = { hour: limits.perUserHour, day: limits.perUserDay, minIntervalSeconds: limits.minIntervalSeconds };
      const r = await this.repo.execute<OtpState, OtpEvent>(otpStream(user_id), otpEvolver, (s) =>
        decideIssue(s, {
          challenge_id,
          user_id,
          tenant_id,
          channel: req.channel,
          purpose: req.purpose,
          code_hash: codeHash(this.secrets, challenge_id, code),
          now,
          ttlSeconds: this.config.otp.codeTtlSeconds,
          delivery_hash: secret ? sha256Hex(secret) : null,
          destination_hash: dHash,
          phone,
          userRule,
        }),
      );
      const payload: OtpJobSecret = req.channel === 'sms' ? { code, to: req.phone!.e164, secret } : { code };
      await this.queue.enqueue<OtpJob>(
        OTP_JOBS[req.channel],
        { challenge_id, user_id, sealed: sealFor(this.secrets, jobAad(challenge_id), payload) },
        { jobId: r.events[0]!.id, attempts: this.config.otp.jobAttempts, backoffMs: this.config.otp.jobBackoffMs },
      );
      await this.projections.waitFor(r.position, 5000);
      return { challenge_id, expires_in: this.config.otp.codeTtlSeconds, position: r.position };
    });
  }

  /** Send times (epoch ms) of the last day for one counter, newest first, at most `max`. */
  private async recent(where: Where, max: number, now: number): Promise<number[]> {
    const since = new Date(now - 86_400_000).toISOString();
    const page = await this.reads
      .collection<OtpSendView>('otp_sends')
      .find({ where: { ...where, sent_at: { gt: since } }, sort: [['sent_at', 'desc']], limit: max });
    return page.items.map((d) => Date.parse(d.sent_at));
  }

  /**
   * SMS enrolment: the code proves possession of the new number and binds it. It never
   * upgrades the session (amr, mfa_at), and needs the factors the user already has.
   */
  async confirmEnrolment(auth: AuthContext, challengeId: string | null, code: string): Promise<{ position: number }> {
    await this.stepUp.assertMayBindFactor(auth);
    return this.checkCode(auth, 'sms', 'enroll', challengeId, code);
  }

  /** Login / step-up code (SMS or e-mail): a success is recorded on the session with its method (SessionTokens.satisfyMfa). */
  async verify(auth: AuthContext, channel: OtpChannel, challengeId: string, code: string) {
    // SessionMfaSatisfied is committed together with AttemptSucceeded, after the code is spent
    const session = this.tokens.prepareMfa(auth, channel, [channel]);
    const checked = await this.checkCode(auth, channel, 'verify', challengeId, code, session);
    const token = await session.finish(checked.after!);
    return { ...token, position: Math.max(token.position, checked.position) };
  }

  /** Checks a code under the brute-force counter (scope mfa, one per user); a successful enrolment binds the number. */
  private async checkCode(
    auth: AuthContext,
    channel: OtpChannel,
    purpose: OtpPurpose,
    challengeId: string | null,
    code: string,
    onSuccess?: PendingSession<unknown>,
  ): Promise<{ position: number; after?: ExecuteResult<SessionState> }> {
    // the challenge's events, the counter's outcome and (on success) the session's: one atomic commit
    let result: VerifyResult = { ok: false, reason: 'not_found' };
    const check: Command<OtpState, OtpEvent> = {
      stream: otpStream(auth.user_id),
      evolver: otpEvolver,
      decide: (s) => {
        result = { ok: false, reason: 'not_found' };
        const id = challengeId ?? latestEnrolChallenge(s);
        if (!id) return [];
        const now = this.clock.now().getTime();
        const v = decideVerify(s, {
          user_id: auth.user_id,
          challenge_id: id,
          channel,
          purpose,
          candidateHash: codeHash(this.secrets, id, code),
          now,
        });
        result = v.result;
        if (v.result.ok && purpose === 'enroll')
          return [...v.events, enrolledEvent(s, v.result.challenge, auth.user_id, auth.tenant_id, now)];
        return v.events;
      },
    };
    const outcome = await this.bruteForce.attemptInstant<VerifyResult, SessionState>(
      { scope: 'mfa', subject: auth.user_id, user_id: auth.user_id, factor: channel },
      { commands: [check], outcome: () => ({ ok: result.ok, value: result }) },
      onSuccess?.command,
    );
    const verified = outcome.value!;
    if (!verified.ok) throw verifyError(verified, purpose);
    return { position: outcome.position, after: outcome.after };
  }
}

function verifyError(r: Exclude<VerifyResult, { ok: true }>, purpose: OtpPurpose): DomainError {
  switch (r.reason) {
    case 'not_found':
      return purpose === 'enroll'
        ? badRequest('no_pending_enrolment', 'There is no pending phone enrolment; request a new code.')
        : badRequest('invalid_challenge', 'No open challenge with this id exists for you; request a new code.');
    case 'expired':
      return badRequest('challenge_expired', 'This code has expired; request a new one.');
    case 'used':
      return badRequest('challenge_used', 'This code was already used; request a new one.');
    case 'locked':
      return badRequest('challenge_locked', 'Too many wrong codes: this challenge is closed; request a new code.');
    case 'invalid_code':
      return badRequest('invalid_code', 'The code is not correct.', { attempts_remaining: r.attempts_remaining });
  }
}
