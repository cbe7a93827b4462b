import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { AuthContext } from '../../identity/auth/auth-context.js';
import { READ_STORE, type ReadStore } from '../../readstore/read-store.port.js';
import { badRequest } from '../../shared/errors.js';
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
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {}

  async execute(cmd: IssueOtpChallenge): Promise<IssuedChallenge> {
    if (cmd.channel === 'sms') {
      const { state } = await this.otp.load(cmd.auth.user_id);
      const f = state.factor;
      if (f?.status !== 'active') throw badRequest('sms_not_enrolled', 'No phone number is enrolled for SMS codes.');
      const e164 = this.otp.openPhone(cmd.auth.user_id, f);
      const r = await this.otp.issue({ auth: cmd.auth, channel: 'sms', purpose: 'verify', phone: { e164, masked: f.phone_masked } });
      return { challenge_id: r.challenge_id, phone_masked: f.phone_masked, expires_in: r.expires_in, position: r.position };
    }
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
    return this.otp.verify(cmd.auth, cmd.channel, 'verify', cmd.challengeId, cmd.code);
  }
}
