import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AggregateRepository } from '../../eventstore/aggregate-repository.js';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { StepUpService } from '../../identity/auth/step-up.service.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { sha256Hex } from '../../shared/crypto.js';
import { badRequest, notFound } from '../../shared/errors.js';
import type { OtpSendView } from '../../../projections/sms-factors.js';
import { decideRemove, otpEvolver, otpStream, type OtpEvent, type OtpState } from '../otp-challenge/otp.decider.js';
import { OtpService } from '../otp-challenge/otp.service.js';
import { normalisePhone } from './phone.js';

export class StartSmsEnrolment {
  constructor(
    readonly auth: AuthContext,
    readonly phone: string,
  ) {}
}
export class ConfirmSmsEnrolment {
  constructor(
    readonly auth: AuthContext,
    readonly code: string,
    readonly challengeId: string | null,
  ) {}
}
export class RemoveSmsFactor {
  constructor(readonly auth: AuthContext) {}
}
export class RecordSmsDelivery {
  constructor(
    readonly secret: string,
    readonly providerId: string | null,
    readonly status: string,
    readonly delivered: string | null,
  ) {}
}

/**
 * Sends a code to a new number. The answer has the same shape whatever the number (bound to
 * another account or not); replacing an active number needs a fresh MFA.
 */
@CommandHandler(StartSmsEnrolment)
export class StartSmsEnrolmentHandler implements ICommandHandler<StartSmsEnrolment> {
  constructor(
    private readonly otp: OtpService,
    private readonly stepUp: StepUpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: StartSmsEnrolment) {
    const phone = normalisePhone(cmd.phone);
    if (!phone.country || !this.config.otp.smsAllowedCountries.includes(phone.country))
      throw badRequest('sms_country_not_allowed', 'SMS codes cannot be sent to numbers in this country.', {
        allowed_countries: this.config.otp.smsAllowedCountries,
      });
    // binding a factor needs the factors you have (any type)
    await this.stepUp.assertMayBindFactor(cmd.auth);
    const r = await this.otp.issue({
      auth: cmd.auth,
      channel: 'sms',
      purpose: 'enroll',
      phone: { e164: phone.e164, masked: phone.masked },
    });
    // The owner's own enrolment answer is the one place the full number is echoed back.
    return { challenge_id: r.challenge_id, phone: phone.e164, phone_masked: phone.masked, expires_in: r.expires_in, position: r.position };
  }
}

@CommandHandler(ConfirmSmsEnrolment)
export class ConfirmSmsEnrolmentHandler implements ICommandHandler<ConfirmSmsEnrolment> {
  constructor(private readonly otp: OtpService) {}
  async execute(cmd: ConfirmSmsEnrolment) {
    const r = await this.otp.confirmEnrolment(cmd.auth, cmd.challengeId, cmd.code);
    const { state } = await this.otp.load(cmd.auth.user_id);
    return {
      position: r.position,
      method: 'sms' as const,
      phone_masked: state.factor?.phone_masked ?? null,
      confirmed_at: state.factor?.confirmed_at ?? null,
    };
  }
}

@CommandHandler(RemoveSmsFactor)
export class RemoveSmsFactorHandler implements ICommandHandler<RemoveSmsFactor> {
  constructor(
    private readonly repo: AggregateRepository,
    private readonly stepUp: StepUpService,
  ) {}
  async execute(cmd: RemoveSmsFactor) {
    const { state } = await this.repo.load(otpStream(cmd.auth.user_id), otpEvolver);
    decideRemove(state, cmd.auth.user_id); // 404 before asking for step-up
    await this.stepUp.assertMayBindFactor(cmd.auth);
    const r = await this.repo.execute<OtpState, OtpEvent>(otpStream(cmd.auth.user_id), otpEvolver, (s) =>
      decideRemove(s, cmd.auth.user_id),
    );
    return { position: r.position };
  }
}

/** 46elks delivery report: the secret in the URL is the only credential (stored as SHA-256). */
@CommandHandler(RecordSmsDelivery)
export class RecordSmsDeliveryHandler implements ICommandHandler<RecordSmsDelivery> {
  constructor(
    private readonly repo: AggregateRepository,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}
  async execute(cmd: RecordSmsDelivery) {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(cmd.secret)) throw notFound('not_found', 'Unknown delivery report URL.');
    const page = await this.reads.collection<OtpSendView>('otp_sends').find({ where: { delivery_hash: sha256Hex(cmd.secret) }, limit: 1 });
    const send = page.items[0];
    if (!send) throw notFound('not_found', 'Unknown delivery report URL.');
    if (!['sent', 'delivered', 'failed'].includes(cmd.status))
      throw badRequest('invalid_status', 'status must be sent, delivered or failed.');
    const delivered = cmd.delivered && !Number.isNaN(Date.parse(cmd.delivered)) ? new Date(cmd.delivered).toISOString() : null;
    const r = await this.repo.execute<OtpState, OtpEvent>(otpStream(send.user_id), otpEvolver, () => [
      {
        type: 'SmsDeliveryReported',
        data: { challenge_id: send.id, user_id: send.user_id, provider_id: cmd.providerId, status: cmd.status, delivered_at: delivered },
      },
    ]);
    return { position: r.position };
  }
}
