import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { badRequest, forbidden } from '../../shared/errors.js';
import { MfaEnforcement } from '../policy/mfa-enforcement.service.js';
import { maskEmail } from '../../shared/mask.js';
import type { UserView } from '../../../projections/users.js';
import type { OtpChannel } from './otp.decider.js';
import { OtpService } from './otp.service.js';

/** Sends a login/step-up code to the enrolled phone (sms) or the account's e-mail address (email). */
export class IssueOtpChallenge {
  constructor(
    readonly auth: AuthContext,
    readonly channel: OtpChannel,
  ) {}
}
export class VerifyOtpCode {
  constructor(
    readonly auth: AuthContext,
    readonly channel: OtpChannel,
    readonly challengeId: string,
    readonly code: string,
  ) {}
}

export interface IssuedChallenge {
  challenge_id: string;
  expires_in: number;
  phone_masked?: string;
  email_masked?: string;
  position: number;
}

@CommandHandler(IssueOtpChallenge)
export class IssueOtpChallengeHandler implements ICommandHandler<IssueOtpChallenge, IssuedChallenge> {
  constructor(
    private readonly otp: OtpService,
    private readonly enforcement: MfaEnforcement,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  /**
   * E-mail OTP is a break-glass fallback for login-time MFA: only for a user who has a possession
   * factor, and only where the tenant's policy allows `email`. Refused before a code is sent.
   */
  private async assertEmailFallbackAllowed(auth: AuthContext): Promise<void> {
    const [possession, allowed] = await Promise.all([
      this.enforcement.possessionFactors(auth.user_id),
      this.enforcement.allowedMethods(auth.tenant_id),
    ]);
    if (!allowed.includes('email'))
      throw forbidden('email_otp_not_allowed', "This tenant's MFA policy does not accept e-mail codes.", { allowed_methods: allowed });
    if (possession.length === 0)
      throw forbidden(
        'email_otp_not_allowed',
        'E-mail codes are a fallback for an authenticator app, SMS or passkey; enrol one of those as your second factor.',
        { allowed_methods: allowed.filter((m) => m !== 'email') },
      );
  }

  async execute(cmd: IssueOtpChallenge): Promise<IssuedChallenge> {
    if (cmd.channel === 'sms') {
      const { state } = await this.otp.load(cmd.auth.user_id);
      const f = state.factor;
      if (f?.status !== 'active') throw badRequest('sms_not_enrolled', 'No phone number is enrolled for SMS codes.');
      const e164 = this.otp.openPhone(cmd.auth.user_id, f);
      const r = await this.otp.issue({ auth: cmd.auth, channel: 'sms', purpose: 'verify', phone: { e164, masked: f.phone_masked } });
      return { challenge_id: r.challenge_id, phone_masked: f.phone_masked, expires_in: r.expires_in, position: r.position };
    }
    await this.assertEmailFallbackAllowed(cmd.auth);
    const user = await this.reads.collection<UserView>('users').get(cmd.auth.user_id);
    if (!user?.email) throw badRequest('email_otp_unavailable', 'This account has no e-mail address for codes.');
    const r = await this.otp.issue({ auth: cmd.auth, channel: 'email', purpose: 'verify', email: user.email });
    return { challenge_id: r.challenge_id, email_masked: maskEmail(user.email), expires_in: r.expires_in, position: r.position };
  }
}

@CommandHandler(VerifyOtpCode)
export class VerifyOtpCodeHandler implements ICommandHandler<VerifyOtpCode> {
  constructor(private readonly otp: OtpService) {}
  execute(cmd: VerifyOtpCode) {
    return this.otp.verify(cmd.auth, cmd.channel, cmd.challengeId, cmd.code);
  }
}
