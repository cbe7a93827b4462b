import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IdentityModule } from '../identity/identity.module.js';
import { EmailOtpController } from './email-otp/email-otp.controller.js';
import { OtpDispatch } from './otp-challenge/otp-dispatch.js';
import { IssueOtpChallengeHandler, VerifyOtpCodeHandler } from './otp-challenge/otp.handlers.js';
import { OtpService } from './otp-challenge/otp.service.js';
import { ElksWebhookController, SmsController } from './sms/sms.controller.js';
import {
  ConfirmSmsEnrolmentHandler,
  RecordSmsDeliveryHandler,
  RemoveSmsFactorHandler,
  StartSmsEnrolmentHandler,
} from './sms/sms.handlers.js';
import { createSmsTransport, SMS_TRANSPORT } from './sms/sms-transport.js';

/** SMS-OTP through 46elks (F02.07.02) and e-mail OTP break-glass (F02.07.03). */
@Module({
  imports: [IdentityModule],
  controllers: [SmsController, ElksWebhookController, EmailOtpController],
  providers: [
    {
      provide: SMS_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => createSmsTransport({ dataDir: c.dataDir, elks: c.elks }),
    },
    OtpService,
    OtpDispatch,
    IssueOtpChallengeHandler,
    VerifyOtpCodeHandler,
    StartSmsEnrolmentHandler,
    ConfirmSmsEnrolmentHandler,
    RemoveSmsFactorHandler,
    RecordSmsDeliveryHandler,
  ],
})
export class SmsEmailModule {}
